from django.db.models import Count, QuerySet

from regions.models import CountyOffice
from suppliers.models import Supplier, SupplierStatus


def suppliers_awaiting_endorsement(*, office: CountyOffice) -> QuerySet[Supplier]:
    """Applications from the office's own county that wait for its endorsement, oldest first."""
    return (
        Supplier.objects.filter(county_id=office.county_id, status=SupplierStatus.SUBMITTED)
        .select_related("county__city", "county__province")
        .order_by("updated_at")
    )


def supplier_counts_by_status() -> dict[str, int]:
    rows = Supplier.objects.values("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(SupplierStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def active_suppliers(*, limit: int = 12) -> QuerySet[Supplier]:
    return (
        Supplier.objects.filter(status=SupplierStatus.ACTIVE)
        .select_related("county__city", "county__province")
        .order_by("-updated_at")[:limit]
    )
