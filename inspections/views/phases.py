"""Check phase pages: internal control's list, create form and phase page (open / close on the page, the
Excel export), and the public pages of closed phases (一公开)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.access import ops_only, public
from catalog.models import Category
from core.errors import apply_to_form, messages_of
from core.exports import xlsx_response
from core.numbers import IntegerField
from inspections.models import PhaseState
from inspections.selectors import phases as selectors
from inspections.services import phases as services
from inspections.workflow import PHASE, PhaseAction


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class PhaseForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = IntegerField(label=gettext_lazy("Budget of checks"))
    floor_probability = forms.FloatField(
        label=gettext_lazy("Lowest inclusion probability"),
        initial=0.001,
        help_text=gettext_lazy("Every live listing has at least this chance of being drawn."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Target categories"),
        queryset=Category.objects.filter(is_active=True).order_by("position", "id"),
        required=False,
        help_text=gettext_lazy("None chosen: the whole catalogue. A category includes its subcategories."),
    )


@ops_only
def phase_list(request):
    """Every phase, and the form to create one."""
    _require(request, "inspections.view_checkphase")
    may_add = request.user.has_perm("inspections.add_checkphase")
    form = PhaseForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                phase = services.phase_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_to_form(form, exc)
            else:
                messages.success(request, _("Phase “%(name)s” created as a draft.") % {"name": phase.name})
                return redirect("inspections:phase", pk=phase.pk)
    return render(request, "inspections/phases.html", {"phases": list(selectors.phases()), "form": form})


def _phase(request, pk: int):
    _require(request, "inspections.view_checkphase")
    phase = selectors.phase_of(pk)
    if phase is None:
        raise Http404
    return phase


# The phase history's details, in the order shown, with their labels (other keys are left out).
DETAIL_LABELS = {
    "seed": gettext_lazy("Random seed"),
    "population": gettext_lazy("Listings in the frame"),
    "sample": gettext_lazy("Drawn"),
    "unassigned": gettext_lazy("Checks without a reviewer"),
    "budget": gettext_lazy("Budget"),
    "floor_probability": gettext_lazy("Lowest inclusion probability"),
}


def _history(phase) -> list[dict]:
    """The phase's events for people: the action's label, who by full name, the details labelled."""
    rows = []
    for e in phase.events.select_related("actor").order_by("created_at", "id"):
        details = e.details or {}
        rows.append(
            {
                "when": e.created_at,
                "action": PHASE.action_label(e.action),
                "who": e.actor.display_name if e.actor else "",
                "reason": e.reason,
                "details": [(label, details[key]) for key, label in DETAIL_LABELS.items() if key in details],
            }
        )
    return rows


@ops_only
def phase_detail(request, pk: int):
    """A phase: its state, seed and frame, the sample by stratum, progress, estimates and the buttons."""
    phase = _phase(request, pk)
    may_change = request.user.has_perm("inspections.change_checkphase")
    return render(
        request,
        "inspections/phase.html",
        {
            "phase": phase,
            "figures": selectors.figures(phase),
            "unassigned": selectors.unassigned_checks(phase),
            "unassigned_shown": selectors.UNASSIGNED_SHOWN,
            "history": _history(phase),
            "may_open": may_change and phase.state == PhaseState.DRAFT,
            "may_close": may_change and phase.state == PhaseState.OPEN,
        },
    )


@ops_only
def phase_action(request, pk: int):
    """Open (draw the sample) or close (publish) the phase (POST; the permission is checked first)."""
    phase = _phase(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action", "")
    try:
        if action == PhaseAction.OPEN:
            phase = services.phase_open(phase=phase, by=request.user)
            messages.success(request, _("The sample is drawn (seed %(seed)s).") % {"seed": phase.seed})
        elif action == PhaseAction.CLOSE:
            services.phase_close(phase=phase, by=request.user)
            messages.success(request, _("The phase is closed and published."))
        else:
            messages.error(request, _("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(messages_of(exc)))
    return redirect("inspections:phase", pk=pk)


EXPORT_HEADERS = [
    gettext_lazy("Listing"),
    gettext_lazy("Supplier"),
    gettext_lazy("Category"),
    pgettext_lazy("spot check", "Kind"),
    gettext_lazy("Stratum"),
    gettext_lazy("Inclusion probability"),
    gettext_lazy("Risk score"),
    gettext_lazy("Reviewer"),
    gettext_lazy("State"),
    gettext_lazy("Outcome"),
    gettext_lazy("Findings"),
    gettext_lazy("Rectify by"),
    gettext_lazy("Decided at"),
]


@ops_only
def phase_export(request, pk: int):
    """One row per check of the phase, with Chinese headers in a zh session."""
    phase = _phase(request, pk)
    rows = (
        [
            check.product.name,
            check.supplier.legal_name,
            check.category.name,
            check.get_kind_display(),
            check.stratum,
            check.inclusion_probability,
            check.risk_score,
            check.reviewer.username if check.reviewer else "",
            check.get_state_display(),
            check.get_outcome_display() if check.outcome else "",
            "、".join(check.finding_codes or []),
            check.deadline,
            check.decided_at,
        ]
        for check in selectors.export_rows(phase)
    )
    return xlsx_response(
        filename=f"phase-{phase.pk}-{timezone.localdate():%Y%m%d}.xlsx",
        headers=EXPORT_HEADERS,
        rows=rows,
        title=phase.name,
    )


@public
def public_phases(request):
    """The closed phases, published."""
    return render(request, "inspections/public_phases.html", {"phases": list(selectors.closed_phases())})


@public
def public_phase(request, pk: int):
    """A closed phase's figures: counts, rates with intervals, findings, and sanctions (suppliers named
    only where the sanction is final). A phase not closed does not exist here."""
    phase = selectors.phase_of(pk, closed_only=True)
    if phase is None:
        raise Http404
    return render(
        request,
        "inspections/public_phase.html",
        {"phase": phase, "figures": selectors.figures(phase), "sanctions": selectors.final_sanctions(phase)},
    )
