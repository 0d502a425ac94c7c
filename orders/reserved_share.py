"""Reserved share (预留份额) progress: what the completed orders spent toward each filed target.

What counts toward a target (``buyers.reserved_share``: the unit, its trade unions, the units sharing
its canteen) is the sum of ``Order.total`` of the **completed** orders **placed** in that year (local
time). ``progress`` (one unit's page) and ``overview`` (the ops page) run a constant number of
queries: the order sums are aggregated in SQL, grouped by unit (and month for one unit), and
attributed to the filing unit in Python.

Pace and projection assume purchases spread evenly over the calendar days of the year: a unit is
on pace when it has spent at least ``target × elapsed fraction`` (days passed, today included, over
days in the year), and the year-end projection is ``spent ÷ elapsed fraction`` — the pace so far,
continued; it ignores the seasons (more is bought before 春节 and 中秋/国庆).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from buyers.models import BuyerUnit, ReservedShareFiling
from buyers.reserved_share import account_of, filing_deadline, target_of, year_filings
from core.money import ZERO, money
from orders.models import Order, OrderStatus


def elapsed_fraction(year: int, today: datetime.date) -> Decimal:
    """Share of ``year`` gone by on ``today`` (today counted as gone): 0 before it, 1 after it."""
    if today.year < year:
        return Decimal(0)
    if today.year > year:
        return Decimal(1)
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    return Decimal((today - start).days + 1) / Decimal(days)


def _percentage(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal place; None without a whole."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _completed_sums(year: int, unit_ids: Iterable[int] | None = None, *, by_month: bool = False):
    """Completed orders placed in ``year``: total per unit (and per month). One query."""
    qs = Order.objects.filter(status=OrderStatus.COMPLETED, placed_at__year=year)
    if unit_ids is not None:
        qs = qs.filter(buyer_unit_id__in=list(unit_ids))
    if by_month:
        qs = qs.annotate(month=ExtractMonth("placed_at"))
        return qs.values_list("buyer_unit_id", "month").annotate(spent=Sum("total")).order_by()
    return qs.values_list("buyer_unit_id").annotate(spent=Sum("total")).order_by()


@dataclass(frozen=True)
class Progress:
    """One filing unit's year: what it filed, what counts, and how it is going."""

    unit: BuyerUnit  # the unit whose target this is (the host, or the union's parent)
    year: int
    today: datetime.date
    filing: ReservedShareFiling | None
    target: Decimal | None
    spent: Decimal
    monthly: list[Decimal]  # 12 values, January first
    members: list[BuyerUnit] = field(default_factory=list)  # other units whose purchases count here
    elapsed: Decimal = Decimal(0)

    @property
    def percentage(self) -> Decimal | None:
        """Spent as a percentage of the target, one decimal place."""
        return _percentage(self.spent, self.target)

    @property
    def expected(self) -> Decimal | None:
        """What an even pace would have spent by today: target × elapsed fraction."""
        if self.target is None:
            return None
        return money(self.target * self.elapsed)

    @property
    def on_pace(self) -> bool | None:
        if self.target is None:
            return None
        return self.spent >= self.target * self.elapsed

    @property
    def projection(self) -> Decimal | None:
        """Year-end spent if the pace so far continues; None before the year starts."""
        if not self.elapsed:
            return None
        return money(self.spent / self.elapsed)

    @property
    def projected_percentage(self) -> Decimal | None:
        projection = self.projection
        if projection is None:
            return None
        return _percentage(projection, self.target)

    @property
    def cumulative(self) -> list[Decimal]:
        total, out = ZERO, []
        for value in self.monthly:
            total += value
            out.append(total)
        return out


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def progress(unit: BuyerUnit, year: int, today: datetime.date | None = None) -> Progress:
    """The reserved share of the unit whose target ``unit``'s purchases count toward (``unit``
    itself, or its parent unit, or the host of its canteen), for ``year``. Five queries."""
    today = _today(today)
    account = account_of(unit, year)
    monthly = [ZERO] * 12
    for unit_id, month, spent in _completed_sums(year, account.counted, by_month=True):
        if unit_id in account.counted:
            monthly[month - 1] += money(spent)
    return Progress(
        unit=account.unit,
        year=year,
        today=today,
        filing=account.filing,
        target=target_of(account.filing),
        spent=money(sum(monthly, ZERO)),
        monthly=monthly,
        members=account.members,
        elapsed=elapsed_fraction(year, today),
    )


# --- Ops overview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    unit: BuyerUnit
    filing: ReservedShareFiling | None
    target: Decimal | None
    spent: Decimal
    expected: Decimal | None
    on_pace: bool | None

    @property
    def percentage(self) -> Decimal | None:
        return _percentage(self.spent, self.target)


@dataclass(frozen=True)
class GroupRow:
    label: str
    units: int
    target: Decimal
    spent: Decimal

    @property
    def percentage(self) -> Decimal | None:
        return _percentage(self.spent, self.target)


@dataclass(frozen=True)
class Overview:
    year: int
    today: datetime.date
    deadline: datetime.date
    elapsed: Decimal
    rows: list[UnitRow]  # every unit that files (not trade unions of a unit, not canteen guests)
    by_province: list[GroupRow]
    by_kind: list[GroupRow]
    total: GroupRow

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.deadline

    @property
    def not_filed(self) -> list[UnitRow]:
        return [r for r in self.rows if r.filing is None]

    @property
    def behind_pace(self) -> list[UnitRow]:
        return [r for r in self.rows if r.on_pace is False]


def _unit_row(
    unit: BuyerUnit, filing: ReservedShareFiling | None, spent: Decimal, elapsed: Decimal
) -> UnitRow:
    target = target_of(filing)
    return UnitRow(
        unit=unit,
        filing=filing,
        target=target,
        spent=spent,
        expected=money(target * elapsed) if target is not None else None,
        on_pace=None if target is None else spent >= target * elapsed,
    )


def overview(year: int, today: datetime.date | None = None) -> Overview:
    """Completion for every filing unit, by province and by unit kind (sum of spent over sum of
    target, units with a target only), who has not filed, who is behind pace. Three queries."""
    today = _today(today)
    elapsed = elapsed_fraction(year, today)
    filed = year_filings(year)
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for unit_id, total in _completed_sums(year):
        spent[filed.account_unit_id(unit_id)] += money(total)
    rows = [_unit_row(unit, filing, spent[unit.pk], elapsed) for unit, filing in filed.filing_units()]
    kinds = dict(BuyerUnit.Kind.choices)
    return Overview(
        year=year,
        today=today,
        deadline=filing_deadline(year),
        elapsed=elapsed,
        rows=rows,
        by_province=_groups(rows, lambda r: r.unit.province.name),
        by_kind=_groups(rows, lambda r: str(kinds.get(r.unit.kind, r.unit.kind))),
        total=_group("", [r for r in rows if r.target is not None]),
    )


def _group(label: str, rows: list[UnitRow]) -> GroupRow:
    return GroupRow(
        label=label,
        units=len(rows),
        target=money(sum((r.target for r in rows), ZERO)),
        spent=money(sum((r.spent for r in rows), ZERO)),
    )


def _groups(rows: list[UnitRow], key) -> list[GroupRow]:
    grouped: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.target is not None:
            grouped[key(row)].append(row)
    return [_group(label, members) for label, members in grouped.items()]
