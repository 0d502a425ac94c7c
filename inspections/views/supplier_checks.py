"""The supplier's portal pages for spot checks: its checks (rounds to answer first) and one check, with
the answer form (while a round waits) and the appeal form (while allowed). Every check is fetched
scoped to the supplier: another supplier's check is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import roles
from accounts.models import Role
from core.downloads import private_file_response
from core.errors import apply_to_form, messages_of
from inspections import sanctions
from inspections.check_forms import AppealForm, RespondForm
from inspections.models import CheckState
from inspections.selectors import checks as selectors
from inspections.services import check_appeals
from inspections.services import checks as services
from inspections.services.checks import Evidence
from inspections.views.checks import timeline


def _own(request, pk: int):
    check = selectors.supplier_check(supplier_id=request.user.supplier_id, pk=pk)
    if check is None:
        raise Http404
    return check


@roles(Role.SUPPLIER)
def supplier_checks(request):
    rows = list(selectors.supplier_checks(supplier_id=request.user.supplier_id))
    for check in rows:
        check.overdue = selectors.is_overdue(check)
    return render(request, "inspections/supplier_checks.html", {"checks": rows})


def _render(request, check, *, status=200, respond_form=None, appeal_form=None):
    rounds = sorted(check.rectifications.all(), key=lambda r: (r.requested_at, r.pk))
    current = rounds[-1] if rounds else None
    can_respond = check.state == CheckState.RECTIFYING
    appeal_refusal = check_appeals.appeal_refusal(check)
    context = {
        "check": check,
        "appeal": check_appeals.appeal_of(check),
        "rounds": rounds,
        "current": current,
        "timeline": timeline(check),
        "evidence": list(check.evidence.all()),
        "sanctions": list(check.sanctions.all()),
        "respond_form": respond_form or (RespondForm() if can_respond else None),
        "appeal_form": appeal_form or (AppealForm() if not appeal_refusal else None),
        "appeal_until": sanctions.appeal_deadline(check.decided_at) if check.decided_at else None,
    }
    return render(request, "inspections/supplier_check.html", context, status=status)


@roles(Role.SUPPLIER)
def supplier_check(request, pk: int):
    return _render(request, _own(request, pk))


def _refused(request, check, exc):
    for message in messages_of(exc):
        messages.error(request, message)
    return redirect("inspections:supplier_check", pk=check.pk)


@roles(Role.SUPPLIER)
@require_POST
def supplier_respond(request, pk: int):
    check = _own(request, pk)
    form = RespondForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, check, status=400, respond_form=form)
    try:
        services.check_respond(
            check=check,
            by=request.user,
            text=form.cleaned_data["response"],
            evidence=Evidence(files=form.cleaned_data["files"]),
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, check, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render(request, check, status=400, respond_form=form)
    except PermissionDenied as exc:
        return _refused(request, check, exc)
    messages.success(request, _("Your answer was sent to the reviewer."))
    return redirect("inspections:supplier_check", pk=pk)


@roles(Role.SUPPLIER)
@require_POST
def supplier_appeal(request, pk: int):
    check = _own(request, pk)
    form = AppealForm(request.POST)
    form.is_valid()
    try:
        check_appeals.check_appeal(check=check, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _refused(request, check, exc)
        apply_to_form(form, exc, hidden_to_form=False)
        return _render(request, check, status=400, appeal_form=form)
    except PermissionDenied as exc:
        return _refused(request, check, exc)
    messages.success(request, _("Your appeal was filed: another reviewer will decide it."))
    return redirect("inspections:supplier_check", pk=pk)


@roles(Role.SUPPLIER)
def supplier_evidence(request, pk: int, evidence_id: int):
    """A piece of evidence on one of the supplier's checks (private storage)."""
    check = _own(request, pk)
    item = next((e for e in check.evidence.all() if e.pk == evidence_id and e.file), None)
    if item is None or not item.file.storage.exists(item.file.name):
        raise Http404
    return private_file_response(item.file, content_type=item.file_type)
