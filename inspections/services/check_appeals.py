"""The supplier's one appeal against a confirmed violation, and its decision by another reviewer
(through the CHECK workflow; what revoking or finalising a sanction does is in check_sanctions)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from core import workflow
from core.workflow import Actor
from inspections import sanctions
from inspections.models import Appeal, CheckOutcome, CheckState, SpotCheck
from inspections.services import check_sanctions
from inspections.services.checks import ops_actor, supplier_actor, supplier_link, supplier_users
from inspections.workflow import CHECK, CheckAction


def appeal_refusal(check: SpotCheck, *, now: datetime.datetime | None = None) -> str:
    """Why the supplier may not appeal this check now ("" when it may)."""
    if Appeal.objects.filter(check_ref=check).exists():
        return _("This check has already been appealed: a finding can be appealed only once.")
    if check.state != CheckState.CLOSED or check.outcome not in sanctions.SANCTION_OUTCOMES:
        return _("Only a confirmed violation can be appealed.")
    if not check.sanctions.filter(revoked_at__isnull=True).exists():
        return _("Only a confirmed violation can be appealed.")
    deadline = sanctions.appeal_deadline(check.decided_at)
    if (now or timezone.now()) > deadline:
        return _(
            "The appeal window closed on %(date)s: appeals are accepted within %(days)s days of the decision."
        ) % {
            "date": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
            "days": int((deadline - check.decided_at).days),
        }
    return ""


@transaction.atomic
def check_appeal(*, check: SpotCheck, by: User, reason: str) -> Appeal:
    """The supplier's one appeal against a confirmed violation, within the window, with a reason."""
    check = workflow.lock(check)
    actor = supplier_actor(check, by)
    if actor != Actor.SUPPLIER:
        workflow.check(CHECK, check, action=CheckAction.APPEAL, actor=actor, reason="-", details={})
    refusal = appeal_refusal(check)
    if refusal:
        raise ValidationError(refusal, code="appeal_refused")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for your appeal.")})
    workflow.transition(
        CHECK, check, action=CheckAction.APPEAL, by=by, actor=actor, reason=reason, locked=True
    )
    return Appeal.objects.create(check_ref=check, reason=reason, filed_by=by)


@transaction.atomic
def appeal_decide(*, check: SpotCheck, by: User, action: str, note: str) -> SpotCheck:
    """A reviewer other than the check's decides the appeal: uphold (the sanction becomes final) or
    overturn (the check passes, the sanction is revoked and undone)."""
    if action not in (CheckAction.UPHOLD, CheckAction.OVERTURN):
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    check = workflow.lock(check)
    actor = ops_actor(check, by)
    workflow.check(CHECK, check, action=action, actor=actor, reason="-", details={})
    if by.pk == check.reviewer_id:
        raise ValidationError(
            _("The reviewer who decided this check cannot decide its appeal: another reviewer must."),
            code="same_reviewer",
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give the reason for the decision: the supplier will read it.")})
    overturn = action == CheckAction.OVERTURN

    def apply(obj, transition):
        obj.closed_at = timezone.now()
        if not overturn:
            return ["closed_at"]
        obj.outcome = CheckOutcome.PASS
        obj.penalty_points = 0
        return ["closed_at", "outcome", "penalty_points"]

    check = workflow.transition(
        CHECK, check, action=action, by=by, actor=actor, reason=note, locked=True, apply=apply
    ).obj
    Appeal.objects.filter(check_ref=check).update(
        decision=Appeal.Decision.OVERTURNED if overturn else Appeal.Decision.UPHELD,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=note,
    )
    if overturn:
        check_sanctions.revoke(check, by=by, reason=note)
    else:
        check_sanctions.make_final(check)
    name = check.product.name
    notify(
        users=supplier_users(check.supplier_id),
        subject=lambda: (
            (_("Appeal granted: %(name)s") if overturn else _("Appeal dismissed: %(name)s")) % {"name": name}
        ),
        body=lambda: _("Decision on your appeal: %(note)s") % {"note": note},
        link=supplier_link(check),
    )
    return check


def appeal_of(check: SpotCheck) -> Appeal | None:
    """The check's appeal, or None (read from select_related("appeal") when the caller made it)."""
    try:
        return check.appeal
    except Appeal.DoesNotExist:
        return None
