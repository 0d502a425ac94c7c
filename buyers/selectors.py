"""Reads for the buyer unit pages, scoped to who asks."""

from django.db.models import QuerySet

from accounts.models import User
from buyers.models import BuyerUnit, ReservedShareFiling


def unit_of(*, user: User) -> BuyerUnit | None:
    """The buyer's own unit (with its province and parent unit), or None for anyone else."""
    if not (user.is_buyer and user.buyer_unit_id):
        return None
    return BuyerUnit.objects.select_related("province", "parent_unit").filter(pk=user.buyer_unit_id).first()


def reserved_share_filing(*, unit: BuyerUnit, year: int) -> ReservedShareFiling | None:
    """The unit's own filing for ``year`` (with the host unit and who filed), if any."""
    return (
        ReservedShareFiling.objects.filter(buyer_unit=unit, year=year)
        .select_related("host_unit", "filed_by")
        .prefetch_related("records__by")
        .first()
    )


def canteen_hosts(*, unit: BuyerUnit) -> QuerySet[BuyerUnit]:
    """Units whose canteen ``unit`` may say it shares: others in its province that are not a trade
    union of some unit (a union runs no canteen)."""
    return (
        BuyerUnit.objects.filter(province_id=unit.province_id, parent_unit__isnull=True)
        .exclude(pk=unit.pk)
        .exclude(kind=BuyerUnit.Kind.TRADE_UNION)
        .order_by("name")
    )
