"""Internal control's pages for the human checks: three queues (my checks, rectifications, appeals) and
one check's page with its decisions on it. Every decision is a call to inspections.services; a refusal
shows the service's message on the field it names, or on the page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ops_only
from core.downloads import private_file_response
from core.errors import apply_to_form, messages_of
from core.workflow import Actor
from inspections import sanctions
from inspections.check_forms import AppealDecisionForm, DecisionForm, ReassignForm
from inspections.models import CheckEvidence, CheckState
from inspections.selectors import checks as selectors
from inspections.selectors import sweep as sweep_selectors
from inspections.services import check_appeals
from inspections.services import checks as services
from inspections.services.checks import DECISIONS, Evidence
from inspections.workflow import CHECK, CheckAction

VIEW = "inspections.view_spotcheck"
# What the Decision card cites as the check's last decision.
LAST_DECISIONS = {*DECISIONS, CheckAction.UPHOLD, CheckAction.OVERTURN, CheckAction.EXPIRE}
QUEUE_LIMIT = 200


def _require(request, permission: str = VIEW) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _queue(request, *, tab: str, checks, title: str):
    _require(request)
    counts = selectors.queue_counts(user=request.user)
    tabs = [
        {"key": "mine", "label": _("My checks"), "url": reverse("inspections:my_checks")},
        {"key": "rectifications", "label": _("Rectifications"), "url": reverse("inspections:rectifications")},
        {"key": "appeals", "label": _("Appeals"), "url": reverse("inspections:appeals")},
    ]
    for t in tabs:
        t["count"] = counts[t["key"]]
    rows = list(checks[:QUEUE_LIMIT])
    for check in rows:
        check.overdue = selectors.is_overdue(check)
    return render(
        request,
        "inspections/check_queue.html",
        {"tabs": tabs, "current": tab, "checks": rows, "title": title, "truncated": len(rows) == QUEUE_LIMIT},
    )


@ops_only
def my_checks(request):
    return _queue(request, tab="mine", checks=selectors.mine(user=request.user), title=_("My checks"))


@ops_only
def rectifications(request):
    return _queue(
        request, tab="rectifications", checks=selectors.rectifications(), title=_("Rectifications due")
    )


@ops_only
def appeals(request):
    return _queue(
        request,
        tab="appeals",
        checks=selectors.appeals_waiting(user=request.user),
        title=_("Appeals waiting"),
    )


# --- One check -------------------------------------------------------------------------------------


def _check_or_404(pk: int):
    check = selectors.check_detail(pk=pk)
    if check is None:
        raise Http404
    return check


def timeline(check) -> list[dict]:
    labels = dict(CheckAction.choices) | {"open": _("Opened"), "reassign": _("Reassigned")}
    roles = dict(Actor.choices)
    return [
        {
            "when": e.created_at,
            "code": e.action,
            "action": labels.get(e.action, e.action),
            "to_status": e.get_to_status_display(),
            "who": e.actor.display_name if e.actor else _("the platform"),
            "role": roles.get(e.actor_role, e.actor_role),
            "reason": e.reason,
        }
        for e in check.events.all()
    ]


def _render(request, check, *, status=200, decision_form=None, appeal_form=None, reassign_form=None):
    user = request.user
    allowed = CHECK.allowed(check.state, Actor.OPS)
    mine = check.reviewer_id == user.pk
    decisions = [a for a in DECISIONS if a in allowed] if mine else []
    appeal = check_appeals.appeal_of(check)
    can_decide_appeal = check.state == CheckState.APPEALED and not mine and user.has_perm(services.PERMISSION)
    can_reassign = check.state not in (CheckState.CLOSED, CheckState.APPEALED) and user.has_perm(
        services.PERMISSION
    )
    standing, findings = sweep_selectors.listing_standing(product=check.product)
    events = timeline(check)
    decided = [e for e in events if e["code"] in LAST_DECISIONS]
    context = {
        "check": check,
        "appeal": appeal,
        "standing": standing,
        "standing_findings": findings,
        "timeline": events,
        "last_decision": decided[-1] if decided else None,
        # While the supplier has the round, the only decision left is to confirm the violation now.
        "escalate_only": decisions == [CheckAction.SANCTION] and check.state == CheckState.RECTIFYING,
        "evidence": list(check.evidence.all()),
        "rounds": sorted(check.rectifications.all(), key=lambda r: (r.requested_at, r.pk)),
        "sanctions": list(check.sanctions.all()),
        "items_labels": [
            services.ReviewItem(i).label for i in check.items_examined if i in services.ReviewItem.values
        ],
        "decision_form": decision_form
        or (DecisionForm(actions=decisions, initial={"items": check.items_examined}) if decisions else None),
        "appeal_form": appeal_form or (AppealDecisionForm() if can_decide_appeal else None),
        "reassign_form": reassign_form
        or (ReassignForm(reviewers=services.eligible_reviewers(check.product)) if can_reassign else None),
        "assigned_elsewhere": not mine and check.state in selectors.OPEN_FOR_REVIEWER,
        "appeal_until": sanctions.appeal_deadline(check.decided_at) if check.decided_at else None,
    }
    return render(request, "inspections/check_detail.html", context, status=status)


@ops_only
def check_detail(request, pk: int):
    _require(request)
    return _render(request, _check_or_404(pk))


def _refused(request, check, exc):
    for message in messages_of(exc):
        messages.error(request, message)
    return redirect("inspections:check", pk=check.pk)


@ops_only
@require_POST
def check_decide(request, pk: int):
    _require(request)
    check = _check_or_404(pk)
    allowed = [a for a in DECISIONS if a in CHECK.allowed(check.state, Actor.OPS)]
    form = DecisionForm(request.POST, request.FILES, actions=allowed)
    if not form.is_valid():
        return _render(request, check, status=400, decision_form=form)
    data = form.cleaned_data
    try:
        services.check_decide(
            check=check,
            by=request.user,
            action=data["action"],
            items=data["items"],
            finding=data["finding"],
            evidence=Evidence(
                photos=data["photos"], documents=data["documents"], test_purchase=data["test_purchase"]
            ),
            deadline=data["deadline"],
            freeze=data["freeze"],
            note=data["note"],
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, check, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render(request, _check_or_404(pk), status=400, decision_form=form)
    except PermissionDenied as exc:
        return _refused(request, check, exc)
    messages.success(request, _("Decision recorded."))
    return redirect("inspections:check", pk=pk)


@ops_only
@require_POST
def appeal_decide(request, pk: int):
    _require(request)
    check = _check_or_404(pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        return _render(request, check, status=400, appeal_form=form)
    try:
        check_appeals.appeal_decide(
            check=check, by=request.user, action=form.cleaned_data["action"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, check, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render(request, check, status=400, appeal_form=form)
    except PermissionDenied as exc:
        return _refused(request, check, exc)
    messages.success(request, _("Appeal decided."))
    return redirect("inspections:check", pk=pk)


@ops_only
@require_POST
def check_reassign(request, pk: int):
    _require(request)
    check = _check_or_404(pk)
    form = ReassignForm(request.POST, reviewers=services.eligible_reviewers(check.product))
    if not form.is_valid():
        return _render(request, check, status=400, reassign_form=form)
    try:
        services.check_reassign(
            check=check,
            reviewer=form.cleaned_data["reviewer"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, check, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render(request, check, status=400, reassign_form=form)
    messages.success(request, _("Check reassigned."))
    return redirect("inspections:check", pk=pk)


@ops_only
def evidence_file(request, pk: int):
    """A piece of evidence (reviewer's or supplier's): private storage, for internal control only."""
    _require(request)
    item = CheckEvidence.objects.filter(pk=pk).exclude(file="").first()
    if item is None or not item.file.storage.exists(item.file.name):
        raise Http404
    return private_file_response(item.file, content_type=item.file_type)
