"""The three state machines of spot checks, declared once (the services enforce them through
core.workflow, which records who, in which role, when and why).

Phase:   draft ─open (sample drawn)─▶ open ─close (published)─▶ closed

Check:   assigned ─pass─────────────────────────────────────────────────▶ closed (pass)
            │  └─sanction (freeze / delist / points, by the ladder)────────▶ closed
            └─rectify (deadline)─▶ rectifying ─respond (supplier)─▶ responded ─recheck pass─▶ closed (pass)
                                     │  ▲                               └─recheck fail ─▶ rectifying (new deadline)
                                     │  └──────────────────────────────────────────────┘   or sanction ─▶ closed
                                     └─deadline passed (platform)─▶ closed (sanction)
         rectifying / closed with a finding ─appeal (supplier, once)─▶ appealed
         appealed ─uphold (another reviewer)─▶ closed       appealed ─overturn─▶ closed (pass)

Report:  new ─triage─▶ triaged ─confirm─▶ confirmed        new / triaged ─dismiss─▶ dismissed
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.workflow import Actor, Workflow, step
from inspections.models import CheckEvent, PhaseEvent, ReportEvent
from inspections.models import CheckState as C
from inspections.models import PhaseState as P
from inspections.models import ReportState as R

OPS, SUPPLIER, SYSTEM = Actor.OPS, Actor.SUPPLIER, Actor.SYSTEM


class PhaseAction(models.TextChoices):
    OPEN = "open", _("Open and draw the sample")
    CLOSE = "close", _("Close and publish")


PHASE = Workflow(
    name="check_phase",
    transitions=(
        step(PhaseAction.OPEN, {P.DRAFT}, P.OPEN, {OPS}),
        step(PhaseAction.CLOSE, {P.OPEN}, P.CLOSED, {OPS}),
    ),
    actions=PhaseAction,
    event_model=PhaseEvent,
    event_fk="phase",
    state_field="state",
    changed_at_field=None,
    refusal_message=_("“%(action)s” is not possible while the phase is “%(status)s”."),
    denied_message=_("You may not do this to this phase."),
)


class CheckAction(models.TextChoices):
    # Not a step: a check is created assigned (drawn into a phase, or targeted); recorded from "" to
    # ASSIGNED so the check's history starts with who opened it.
    OPEN = "open", _("Opened")
    PASS = "pass", _("Passed")
    RECTIFY = "rectify", _("Require rectification")
    SANCTION = "sanction", _("Confirm the violation")
    RESPOND = "respond", _("Answer with the rectification")
    RECHECK_PASS = "recheck_pass", _("Re-check passed")
    RECHECK_FAIL = "recheck_fail", _("Re-check failed: rectify again")
    EXPIRE = "expire", _("Deadline passed without an answer")
    APPEAL = "appeal", _("Appeal")
    UPHOLD = "uphold", _("Uphold the finding")
    OVERTURN = "overturn", _("Overturn the finding")


CHECK = Workflow(
    name="spot_check",
    transitions=(
        step(CheckAction.PASS, {C.ASSIGNED}, C.CLOSED, {OPS}),
        step(CheckAction.RECTIFY, {C.ASSIGNED}, C.RECTIFYING, {OPS}, reason_required=True),
        step(
            CheckAction.SANCTION,
            {C.ASSIGNED, C.RECTIFYING, C.RESPONDED},
            C.CLOSED,
            {OPS},
            reason_required=True,
        ),
        step(CheckAction.RESPOND, {C.RECTIFYING}, C.RESPONDED, {SUPPLIER}, reason_required=True),
        step(CheckAction.RECHECK_PASS, {C.RESPONDED}, C.CLOSED, {OPS}),
        step(CheckAction.RECHECK_FAIL, {C.RESPONDED}, C.RECTIFYING, {OPS}, reason_required=True),
        step(CheckAction.EXPIRE, {C.RECTIFYING}, C.CLOSED, {SYSTEM}, reason_required=True),
        step(CheckAction.APPEAL, {C.RECTIFYING, C.CLOSED}, C.APPEALED, {SUPPLIER}, reason_required=True),
        step(CheckAction.UPHOLD, {C.APPEALED}, C.CLOSED, {OPS}, reason_required=True),
        step(CheckAction.OVERTURN, {C.APPEALED}, C.CLOSED, {OPS}, reason_required=True),
    ),
    actions=CheckAction,
    event_model=CheckEvent,
    event_fk="check_ref",
    state_field="state",
    changed_at_field=None,
    reason_message=_("Give a reason: the supplier will read it."),
    refusal_message=_("“%(action)s” is not possible while the check is “%(status)s”."),
    denied_message=_("You may not do this to this check."),
)


class ReportAction(models.TextChoices):
    FILE = "file", _("Filed")  # recorded when the report is made (core.workflow.record), not a transition
    TRIAGE = "triage", _("Take up")
    CONFIRM = "confirm", _("Confirm")
    DISMISS = "dismiss", _("Dismiss")


REPORT = Workflow(
    name="report",
    transitions=(
        step(ReportAction.TRIAGE, {R.NEW}, R.TRIAGED, {OPS}),
        step(ReportAction.CONFIRM, {R.NEW, R.TRIAGED}, R.CONFIRMED, {OPS}, reason_required=True),
        step(ReportAction.DISMISS, {R.NEW, R.TRIAGED}, R.DISMISSED, {OPS}, reason_required=True),
    ),
    actions=ReportAction,
    event_model=ReportEvent,
    event_fk="report",
    state_field="state",
    changed_at_field=None,
    reason_message=_("Give a reason: the reporter will read it."),
    refusal_message=_("“%(action)s” is not possible while the report is “%(status)s”."),
    denied_message=_("You may not do this to this report."),
)
