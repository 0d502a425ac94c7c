"""The sweep's ops pages (internal control): runs with their progress, the nightly totals by item and
by category with their trend, and the buttons that start a sweep or check one listing, supplier or
category now."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ops_only
from core.errors import messages_of
from core.numbers import parse_int
from inspections.models import SweepRun
from inspections.selectors import sweep as selectors
from inspections.services import sweep as services

RUNS_SHOWN = 20
KINDS = {"product": _("listing"), "supplier": _("supplier"), "category": _("category")}


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@ops_only
def sweeps(request):
    """The runs with their progress; while one runs, its progress refreshes itself (htmx)."""
    _require(request, "inspections.view_spotcheck")
    runs = list(selectors.runs_with_progress()[:RUNS_SHOWN])
    return render(
        request,
        "inspections/sweeps.html",
        {
            "runs": runs,
            "running": any(r.state == SweepRun.State.RUNNING for r in runs),
            "trend": selectors.nightly_trend(),
            "can_start": request.user.has_perm("inspections.change_spotcheck"),
        },
    )


@ops_only
def sweep_progress(request):
    """The runs table alone, for the page's self-refresh."""
    _require(request, "inspections.view_spotcheck")
    runs = list(selectors.runs_with_progress()[:RUNS_SHOWN])
    running = any(r.state == SweepRun.State.RUNNING for r in runs)
    return render(request, "inspections/_sweep_runs.html", {"runs": runs, "running": running})


@require_POST
@ops_only
def sweep_start(request):
    _require(request, "inspections.change_spotcheck")
    run = services.sweep_start(trigger=SweepRun.Trigger.NIGHTLY, by=request.user)
    messages.success(
        request,
        _("Sweep started: %(total)s listings in %(batches)s batches.")
        % {"total": run.total, "batches": run.batch_count},
    )
    return redirect("inspections:sweeps")


@require_POST
@ops_only
def check_now(request):
    """Check one listing, one supplier or one category (with its descendants) now."""
    _require(request, "inspections.change_spotcheck")
    kind = request.POST.get("kind", "")
    try:
        if kind not in KINDS:
            raise ValidationError(_("Choose a listing, a supplier or a category."))
        pk = parse_int(request.POST.get("id", ""), min_value=1, max_value=None)
        run = services.check_now(kind=kind, pk=pk, by=request.user)
    except ValidationError as exc:
        for message in messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Checking %(what)s %(id)s: %(total)s listings.")
            % {"what": KINDS[kind], "id": pk, "total": run.total},
        )
    return redirect("inspections:sweeps")
