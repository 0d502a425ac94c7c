"""The supplier lifecycle: every allowed transition, declared once.

    draft ──submit──▶ submitted ──endorse (county)──▶ endorsed ──approve (ops)──▶ active
      ▲                  │                              │  │                     │  ▲
      └──return (county)─┘◀──────request changes (ops)──┘  └─reject (ops)─▶ rejected
                                                                    suspend │  │ reinstate
    active / suspended ──terminate (ops)──▶ terminated                      ▼  │
                                                                         suspended

``suppliers.services.supplier_transition`` is the only code that changes ``Supplier.status``; through
core.workflow it refuses anything not in this table and records who, in which role, when and why.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.workflow import Actor, Workflow, step
from suppliers.models import SupplierEvent
from suppliers.models import SupplierStatus as S


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit the application")
    ENDORSE = "endorse", _("Endorse as a local supplier")
    RETURN = "return", _("Refuse endorsement and return")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    TERMINATE = "terminate", _("Terminate")


def _t(action, sources, target, actors, reason_required=True):
    # Every step but the supplier's own submission needs a reason: the supplier reads it.
    return step(action, sources, target, actors, reason_required=reason_required)


SUPPLIER_LIFECYCLE = Workflow(
    name="supplier",
    transitions=(
        _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, {Actor.SUPPLIER}, reason_required=False),
        _t(Action.ENDORSE, {S.SUBMITTED}, S.ENDORSED, {Actor.COUNTY}),
        _t(Action.RETURN, {S.SUBMITTED}, S.DRAFT, {Actor.COUNTY}),
        _t(Action.APPROVE, {S.ENDORSED}, S.ACTIVE, {Actor.OPS}),
        _t(Action.REJECT, {S.ENDORSED}, S.REJECTED, {Actor.OPS}),
        _t(Action.REQUEST_CHANGES, {S.ENDORSED}, S.DRAFT, {Actor.OPS}),
        _t(Action.SUSPEND, {S.ACTIVE}, S.SUSPENDED, {Actor.OPS, Actor.SYSTEM}),
        _t(Action.REINSTATE, {S.SUSPENDED}, S.ACTIVE, {Actor.OPS, Actor.SYSTEM}),
        _t(Action.TERMINATE, {S.ACTIVE, S.SUSPENDED}, S.TERMINATED, {Actor.OPS}),
    ),
    actions=Action,
    event_model=SupplierEvent,
    event_fk="supplier",
    reason_message=_("Give a reason: the supplier will read it."),
    refusal_message=_("“%(action)s” is not possible while the supplier is “%(status)s”."),
    denied_message=_("You may not do this to this supplier."),
)

# The table by action (each supplier action has one row), for pages and admin actions.
TRANSITIONS = {t.action: t for t in SUPPLIER_LIFECYCLE.transitions}
