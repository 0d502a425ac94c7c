"""Reads for supplier pages and APIs. ``suppliers_visible_to`` is the one rule of who sees which supplier."""

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import Role, User
from regions.models import CountyOffice
from suppliers.models import Qualification, Supplier, SupplierEvent, SupplierStatus


def suppliers_visible_to(user: User) -> QuerySet[Supplier]:
    """A supplier sees itself, a county office the suppliers of its county, ops (with the view
    permission) everyone; nobody else sees any supplier's application or documents."""
    qs = Supplier.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if user.role == Role.SUPPLIER and user.supplier_id:
        return qs.filter(pk=user.supplier_id)
    if user.role == Role.COUNTY_OFFICER and user.county_office_id:
        return qs.filter(county__office__id=user.county_office_id)
    if user.is_ops and user.has_perm("suppliers.view_supplier"):
        return qs
    return qs.none()


def qualification_for_download(*, user: User, pk: int) -> Qualification | None:
    """A scan its supplier and county office may fetch; ops only with the permission the admin asks
    for the same documents (``view_qualification``), not merely the one to see the supplier."""
    if user and user.is_authenticated and user.is_ops and not user.has_perm("suppliers.view_qualification"):
        return None
    return (
        Qualification.objects.filter(pk=pk, supplier__in=suppliers_visible_to(user))
        .select_related("supplier")
        .first()
    )


def supplier_dossier(*, user: User, pk: int) -> Supplier | None:
    """One supplier with everything its pages show: county, documents, history, credit ledger."""
    return (
        suppliers_visible_to(user)
        .filter(pk=pk)
        .select_related("county__city", "county__province")
        .prefetch_related(
            Prefetch("qualifications", queryset=Qualification.objects.order_by("type", "-valid_from")),
            Prefetch(
                "events",
                queryset=SupplierEvent.objects.select_related("actor").order_by("-created_at", "-id"),
            ),
            "credit_entries",
        )
        .first()
    )


def suppliers_awaiting_endorsement(*, office: CountyOffice) -> QuerySet[Supplier]:
    """Applications from the office's own county that wait for its endorsement, oldest first."""
    return (
        Supplier.objects.filter(county_id=office.county_id, status=SupplierStatus.SUBMITTED)
        .select_related("county__city", "county__province")
        .order_by("status_changed_at")
    )


def county_suppliers(*, office: CountyOffice) -> QuerySet[Supplier]:
    return (
        Supplier.objects.filter(county_id=office.county_id)
        .exclude(status=SupplierStatus.DRAFT)
        .select_related("county")
        .order_by("status", "legal_name")
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
