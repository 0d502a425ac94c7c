"""The reserved share (预留份额) filing rules, under 财库〔2021〕19号: the ratios, the deadline, the target,
and whose target a unit's purchases count toward.

A budget unit files, per year, its canteen food budget and the ratio of it reserved for products of
the 832 counties; its target is ``budget × ratio``. What counts toward a target is what was bought by:

- the unit itself;
- its trade union(s) (``BuyerUnit.parent_unit``);
- units whose filing for that year says they share this unit's canteen (and their trade unions).

``account_unit_id`` is that rule, in one place; ``account_of`` applies it to one unit. How much was
spent, the pace and the projection are computed from the orders in ``orders.reserved_share``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from buyers.models import BuyerUnit, Canteen, ReservedShareFiling


def min_ratio() -> Decimal:
    return Decimal(str(settings.RESERVED_SHARE_MIN_RATIO)).quantize(Decimal("0.001"))


def encouraged_ratio() -> Decimal:
    return Decimal(str(settings.RESERVED_SHARE_ENCOURAGED_RATIO)).quantize(Decimal("0.001"))


def filing_deadline(year: int) -> datetime.date:
    """The last day to file for ``year`` (RESERVED_SHARE_FILING_DEADLINE, "MM-DD")."""
    month, day = (int(part) for part in settings.RESERVED_SHARE_FILING_DEADLINE.split("-"))
    return datetime.date(year, month, day)


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


def files_itself(unit: BuyerUnit, filing: ReservedShareFiling | None) -> bool:
    """Whether ``unit`` has a target of its own: not a trade union of a unit (the unit files for
    both), not a guest of another unit's canteen (the host files for both)."""
    if unit.parent_unit_id:
        return False
    return filing is None or filing.canteen != Canteen.SHARED


@dataclass(frozen=True)
class Account:
    """The filing unit a unit's purchases count toward in ``year``, and every unit that counts there."""

    unit: BuyerUnit  # the unit whose target this is (the host, or the union's parent)
    year: int
    filing: ReservedShareFiling | None
    counted: frozenset[int]  # ids of the units whose purchases count here, ``unit`` included
    members: list[BuyerUnit]  # the other units whose purchases count here, by name


def account_of(unit: BuyerUnit, year: int) -> Account:
    """The account of ``unit`` for ``year`` (``unit`` itself, or its parent unit, or the host of its
    canteen), with its filing and members. Four queries."""
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
    counted = frozenset(uid for uid in parent_of if account_unit_id(uid, parent_of, filings) == account.pk)
    return Account(
        unit=account,
        year=year,
        filing=filings.get(account.pk),
        counted=counted,
        members=[u for u in candidates if u.pk in counted and u.pk != account.pk],
    )


@dataclass(frozen=True)
class YearFilings:
    """Every unit (with its province, by province and name) and every filing of ``year``."""

    year: int
    units: list[BuyerUnit]
    filings: dict[int, ReservedShareFiling]  # by buyer unit id
    parent_of: dict[int, int | None]  # every unit's parent unit id

    def account_unit_id(self, unit_id: int) -> int:
        return account_unit_id(unit_id, self.parent_of, self.filings)

    def filing_units(self) -> list[tuple[BuyerUnit, ReservedShareFiling | None]]:
        """The units that file (see ``files_itself``), each with its filing if it has filed."""
        pairs = [(u, self.filings.get(u.pk)) for u in self.units]
        return [(u, f) for u, f in pairs if files_itself(u, f)]


def year_filings(year: int) -> YearFilings:
    """Two queries."""
    units = list(BuyerUnit.objects.select_related("province").order_by("province__code", "name"))
    filings = {
        f.buyer_unit_id: f for f in ReservedShareFiling.objects.filter(year=year).select_related("filed_by")
    }
    parent_of = {u.pk: u.parent_unit_id for u in units}
    return YearFilings(year=year, units=units, filings=filings, parent_of=parent_of)
