"""Reads of the human checks: internal control's queues (with their counts), one check with everything
its page shows, and the supplier's own checks (scoped to the supplier at the query)."""

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from inspections.models import CheckState, ListingStanding, Rectification, SpotCheck

OPEN_FOR_REVIEWER = (CheckState.ASSIGNED, CheckState.RECTIFYING, CheckState.RESPONDED)
RECTIFYING = (CheckState.RECTIFYING, CheckState.RESPONDED)


def _with_deadline(qs: QuerySet) -> QuerySet:
    """Each check with its current rectification round's deadline (``round_deadline``) and answer time."""
    rounds = Rectification.objects.filter(check_ref=OuterRef("pk")).order_by("-requested_at", "-id")
    return qs.annotate(
        round_deadline=Subquery(rounds.values("deadline")[:1]),
        round_answered_at=Subquery(rounds.values("responded_at")[:1]),
    )


def _listed(qs: QuerySet) -> QuerySet:
    return _with_deadline(qs.select_related("product", "supplier", "category", "reviewer", "phase"))


def mine(*, user) -> QuerySet:
    """The reviewer's open checks: those waiting for a decision first (assigned, answered), oldest first."""
    return _listed(SpotCheck.objects.filter(reviewer=user, state__in=OPEN_FOR_REVIEWER)).order_by(
        "state", "created_at", "id"
    )


def rectifications() -> QuerySet:
    """Checks in a rectification round (waiting for the supplier, or answered), soonest deadline first."""
    return _listed(SpotCheck.objects.filter(state__in=RECTIFYING)).order_by("round_deadline", "id")


def appeals_waiting(*, user) -> QuerySet:
    """Appeals waiting for a decision that ``user`` may decide: not on the checks they decided."""
    return (
        _listed(SpotCheck.objects.filter(state=CheckState.APPEALED).exclude(reviewer=user))
        .select_related("appeal")
        .order_by("appeal__filed_at", "id")
    )


def queue_counts(*, user) -> dict[str, int]:
    """The tabs' counts in one query."""
    return SpotCheck.objects.aggregate(
        mine=Count("pk", filter=Q(reviewer=user, state__in=OPEN_FOR_REVIEWER)),
        rectifications=Count("pk", filter=Q(state__in=RECTIFYING)),
        appeals=Count("pk", filter=Q(state=CheckState.APPEALED) & ~Q(reviewer=user)),
    )


def _detail(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "product", "supplier", "category", "reviewer", "phase", "report", "appeal", "appeal__decided_by"
    ).prefetch_related("events__actor", "evidence", "rectifications", "sanctions")


def check_detail(*, pk: int) -> SpotCheck | None:
    return _detail(SpotCheck.objects.filter(pk=pk)).first()


def standing_of(check: SpotCheck) -> ListingStanding | None:
    """The sweep's current standing of the check's listing (its finding codes), if it was ever swept."""
    return ListingStanding.objects.filter(product_id=check.product_id).first()


# --- The supplier's portal -------------------------------------------------------------------------


def supplier_checks(*, supplier_id: int) -> QuerySet:
    """The supplier's checks: rounds to answer first (soonest deadline), then the rest, newest first."""
    return _with_deadline(
        SpotCheck.objects.filter(supplier_id=supplier_id).select_related("product", "appeal")
    ).order_by(
        Case(When(state=CheckState.RECTIFYING, then=Value(0)), default=Value(1)),
        "round_deadline",
        "-created_at",
        "-id",
    )


def supplier_check(*, supplier_id: int, pk: int) -> SpotCheck | None:
    return _detail(SpotCheck.objects.filter(supplier_id=supplier_id, pk=pk)).first()


def is_overdue(check: SpotCheck) -> bool:
    deadline = getattr(check, "round_deadline", None) or check.deadline
    return check.state == CheckState.RECTIFYING and deadline is not None and deadline < timezone.localdate()
