"""The reserved share (预留份额) rules and arithmetic, under 财库〔2021〕19号.

A budget unit files, per year, its canteen food budget and the ratio of it reserved for products of
the 832 counties; its target is ``budget × ratio``. What counts toward a target is the sum of
``Order.total`` of the **completed** orders **placed** in that year (local time) by:

- the unit itself;
- its trade union(s) (``BuyerUnit.parent_unit``);
- units whose filing for that year says they share this unit's canteen (and their trade unions).

``account_unit_id`` is that rule, in one place; ``progress`` (one unit's page) and ``overview`` (the
ops page) both use it. Both run a constant number of queries: the order sums are aggregated in SQL,
grouped by unit (and month for one unit), and attributed to the filing unit in Python.

Pace and projection assume purchases spread evenly over the calendar days of the year: a unit is
on pace when it has spent at least ``target × elapsed fraction`` (days passed, today included, over
days in the year), and the year-end projection is ``spent ÷ elapsed fraction`` — the pace so far,
continued; it ignores the seasons (more is bought before 春节 and 中秋/国庆).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from buyers.models import BuyerUnit, Canteen, ReservedShareFiling
from core.money import ZERO, money


def min_ratio() -> Decimal:
    return Decimal(str(settings.RESERVED_SHARE_MIN_RATIO)).quantize(Decimal("0.001"))


def encouraged_ratio() -> Decimal:
    return Decimal(str(settings.RESERVED_SHARE_ENCOURAGED_RATIO)).quantize(Decimal("0.001"))


def filing_deadline(year: int) -> datetime.date:
    """The last day to file for ``year`` (RESERVED_SHARE_FILING_DEADLINE, "MM-DD")."""
    month, day = (int(part) for part in settings.RESERVED_SHARE_FILING_DEADLINE.split("-"))
    return datetime.date(year, month, day)


def elapsed_fraction(year: int, today: datetime.date) -> Decimal:
    """Share of ``year`` gone by on ``today`` (today counted as gone): 0 before it, 1 after it."""
    if today.year < year:
        return Decimal(0)
    if today.year > year:
        return Decimal(1)
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    return Decimal((today - start).days + 1) / Decimal(days)


def target_of(filing: ReservedShareFiling | None) -> Decimal | None:
    return filing.target if filing is not None else None


def account_unit_id(
    unit_id: int, parent_of: Mapping[int, int | None], filings: Mapping[int, ReservedShareFiling]
) -> int:
    """The unit whose target ``unit_id``'s purchases count toward in the filings' year: a trade
    union's count for its parent unit, and a unit sharing a canteen counts for the host."""
    unit_id = parent_of.get(unit_id) or unit_id
    filing = filings.get(unit_id)
    if filing is not None and filing.canteen == Canteen.SHARED and filing.host_unit_id:
        return filing.host_unit_id
    return unit_id


def _completed_sums(year: int, unit_ids: Iterable[int] | None = None, *, by_month: bool = False):
    """Completed orders placed in ``year``: total per unit (and per month). One query."""
    from orders.models import Order, OrderStatus  # orders depends on buyers, not the other way

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
        if not self.target:
            return None
        return (self.spent * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

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
        if not self.target or projection is None:
            return None
        return (projection * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

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
    own_filing = (
        ReservedShareFiling.objects.filter(buyer_unit_id=unit.parent_unit_id or unit.pk, year=year)
        .select_related("host_unit__province", "buyer_unit__province")
        .first()
    )
    if own_filing is not None and own_filing.canteen == Canteen.SHARED:
        account = own_filing.host_unit
    elif unit.parent_unit_id:
        account = BuyerUnit.objects.select_related("province").get(pk=unit.parent_unit_id)
    else:
        account = unit
    sharing = ReservedShareFiling.objects.filter(year=year, canteen=Canteen.SHARED, host_unit_id=account.pk)
    candidates = list(
        BuyerUnit.objects.filter(
            Q(pk=account.pk)
            | Q(parent_unit_id=account.pk)
            | Q(pk__in=sharing.values("buyer_unit_id"))
            | Q(parent_unit_id__in=sharing.values("buyer_unit_id"))
        ).order_by("name")
    )
    parent_of = {u.pk: u.parent_unit_id for u in candidates}
    filings = {
        f.buyer_unit_id: f
        for f in ReservedShareFiling.objects.filter(
            year=year, buyer_unit_id__in=[*parent_of, account.pk]
        ).select_related("filed_by")
    }
    counted = {uid for uid in parent_of if account_unit_id(uid, parent_of, filings) == account.pk}
    monthly = [ZERO] * 12
    for unit_id, month, spent in _completed_sums(year, counted, by_month=True):
        if unit_id in counted:
            monthly[month - 1] += money(spent)
    filing = filings.get(account.pk)
    return Progress(
        unit=account,
        year=year,
        today=today,
        filing=filing,
        target=target_of(filing),
        spent=money(sum(monthly, ZERO)),
        monthly=monthly,
        members=[u for u in candidates if u.pk in counted and u.pk != account.pk],
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
        if not self.target:
            return None
        return (self.spent * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GroupRow:
    label: str
    units: int
    target: Decimal
    spent: Decimal

    @property
    def percentage(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.spent * 100 / self.target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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


def overview(year: int, today: datetime.date | None = None) -> Overview:
    """Completion for every filing unit, by province and by unit kind (sum of spent over sum of
    target, units with a target only), who has not filed, who is behind pace. Three queries."""
    today = _today(today)
    elapsed = elapsed_fraction(year, today)
    units = list(BuyerUnit.objects.select_related("province").order_by("province__code", "name"))
    parent_of = {u.pk: u.parent_unit_id for u in units}
    filings = {
        f.buyer_unit_id: f for f in ReservedShareFiling.objects.filter(year=year).select_related("filed_by")
    }
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for unit_id, total in _completed_sums(year):
        spent[account_unit_id(unit_id, parent_of, filings)] += money(total)
    rows: list[UnitRow] = []
    for unit in units:
        if unit.parent_unit_id:
            continue  # a trade union's purchases count toward its unit, which files
        filing = filings.get(unit.pk)
        if filing is not None and filing.canteen == Canteen.SHARED:
            continue  # covered by the host's filing
        target = target_of(filing)
        expected = money(target * elapsed) if target is not None else None
        rows.append(
            UnitRow(
                unit=unit,
                filing=filing,
                target=target,
                spent=spent[unit.pk],
                expected=expected,
                on_pace=None if target is None else spent[unit.pk] >= target * elapsed,
            )
        )
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
