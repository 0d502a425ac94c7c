"""Reads of reports (举报): the subject of a new report, the tracking page, my reports, the triage queue,
and the confirmed reports the phase draw counts as a risk."""

from uuid import UUID

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from accounts.models import User
from catalog.models import Product
from inspections.models import Report, ReportEvent, ReportPhoto, ReportState, SpotCheck
from suppliers.models import Supplier

WAITING = (ReportState.NEW, ReportState.TRIAGED)


def report_subject(
    *, product_id: int | None, supplier_id: int | None
) -> tuple[Product | None, Supplier | None]:
    """The listing and the supplier a report form names (either may be None); the service decides
    whether they may be reported."""
    product = Product.objects.select_related("supplier").filter(pk=product_id).first() if product_id else None
    supplier = Supplier.objects.filter(pk=supplier_id).first() if supplier_id else None
    return product, supplier


def report_by_code(*, code: UUID) -> Report | None:
    """The tracking page's report (its code is the reporter's secret)."""
    return Report.objects.select_related("product", "supplier").filter(code=code).first()


def reports_of(*, reporter: User) -> QuerySet[Report]:
    """A signed-in reporter's own reports, newest first."""
    return (
        Report.objects.filter(reporter=reporter)
        .select_related("product", "supplier")
        .order_by("-created_at", "-id")
    )


def reports_queue(*, state: str = "waiting", kind: str = "") -> QuerySet[Report]:
    """The triage queue: waiting reports first, the oldest at the top. ``state`` is a ReportState,
    "waiting" (new or taken up) or "" for all."""
    reports = Report.objects.select_related("product", "supplier", "handled_by")
    if state == "waiting":
        reports = reports.filter(state__in=WAITING)
    elif state in ReportState.values:
        reports = reports.filter(state=state)
    if kind in Report.Kind.values:
        reports = reports.filter(kind=kind)
    waiting_first = Case(
        When(state__in=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return reports.annotate(photo_count=Count("photos")).order_by(waiting_first, "created_at", "id")


def report_state_counts() -> dict[str, int]:
    """How many reports are in each state (every state named, zero included), in one query."""
    counts = dict.fromkeys(ReportState.values, 0)
    for row in Report.objects.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return counts


def report_for_ops(*, pk: int) -> Report | None:
    """A report with its photos, history and the checks it opened, for the triage page."""
    return (
        Report.objects.select_related("product__category", "supplier", "reporter", "handled_by")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("id")),
            Prefetch(
                "events", queryset=ReportEvent.objects.select_related("actor").order_by("created_at", "id")
            ),
            Prefetch("checks", queryset=SpotCheck.objects.select_related("reviewer").order_by("id")),
        )
        .filter(pk=pk)
        .first()
    )


def report_photo(*, report_id: int, photo_id: int) -> ReportPhoto | None:
    return ReportPhoto.objects.filter(pk=photo_id, report_id=report_id).first()


def confirmed_report_counts(*, product_ids=None) -> dict[int, int]:
    """Confirmed reports per listing (the risk a confirmed report adds to the phase draw)."""
    reports = Report.objects.filter(state=ReportState.CONFIRMED, product__isnull=False)
    if product_ids is not None:
        reports = reports.filter(product_id__in=list(product_ids))
    rows = reports.values("product_id").annotate(n=Count("id")).order_by()
    return {row["product_id"]: row["n"] for row in rows}
