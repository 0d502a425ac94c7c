"""The figures other pages show about spot checks: internal control's and customer service's cards on the
ops home (each a count linking to its queue), and the last finished nightly sweep the public home page
cites under its promise."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from inspections.models import (
    CheckPhase,
    CheckState,
    PhaseState,
    Rectification,
    Report,
    ReportState,
    SpotCheck,
    SweepRun,
)
from inspections.selectors.checks import OPEN_FOR_REVIEWER, RECTIFYING
from inspections.selectors.sweep import runs_with_progress


@dataclass(frozen=True)
class OpsCounts:
    mine: int
    rectifying: int
    overdue: int
    appeals: int
    reports_new: int
    phases_open: int
    last_sweep: SweepRun | None


def ops_counts(*, user) -> OpsCounts:
    """The ops home's spot-check cards, in four queries whatever the data: the checks (mine, in
    rectification, overdue, appeals another reviewer may decide), new reports, open phases, the last
    nightly sweep with its totals."""
    overdue_round = Rectification.objects.filter(
        check_ref=OuterRef("pk"), responded_at__isnull=True, deadline__lt=timezone.localdate()
    )
    checks = SpotCheck.objects.annotate(late=Exists(overdue_round)).aggregate(
        mine=Count("pk", filter=Q(reviewer=user, state__in=OPEN_FOR_REVIEWER)),
        rectifying=Count("pk", filter=Q(state__in=RECTIFYING)),
        overdue=Count("pk", filter=Q(state=CheckState.RECTIFYING, late=True)),
        appeals=Count("pk", filter=Q(state=CheckState.APPEALED) & ~Q(reviewer=user)),
    )
    return OpsCounts(
        **checks,
        reports_new=Report.objects.filter(state=ReportState.NEW).count(),
        phases_open=CheckPhase.objects.exclude(state=PhaseState.CLOSED).count(),
        last_sweep=last_nightly_sweep(finished=False),
    )


def last_nightly_sweep(*, finished: bool = True) -> SweepRun | None:
    """The latest nightly run with its totals (``checked``, ``with_findings``, ``blocking``, ``frozen``),
    the latest finished one by default (one query)."""
    runs = runs_with_progress().filter(trigger=SweepRun.Trigger.NIGHTLY)
    if finished:
        runs = runs.filter(state=SweepRun.State.FINISHED)
    return runs.first()
