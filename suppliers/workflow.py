"""The supplier lifecycle: every allowed transition, declared once.

    draft ──submit──▶ submitted ──endorse (county)──▶ endorsed ──approve (ops)──▶ active
      ▲                  │                              │  │                     │  ▲
      └──return (county)─┘◀──────request changes (ops)──┘  └─reject (ops)─▶ rejected
                                                                    suspend │  │ reinstate
    active / suspended ──terminate (ops)──▶ terminated                      ▼  │
                                                                         suspended

``suppliers.services.supplier_transition`` is the only code that changes ``Supplier.status``; it
refuses anything not in this table and records who, when and why.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from suppliers.models import SupplierStatus as S


class Actor(models.TextChoices):
    SUPPLIER = "supplier", _("the supplier")
    COUNTY = "county", _("the county office")
    OPS = "ops", _("operations staff")
    SYSTEM = "system", _("the platform")


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


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = True


def _t(action, sources, target, actors, reason_required=True) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), reason_required)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, {Actor.SUPPLIER}, reason_required=False),
        _t(Action.ENDORSE, {S.SUBMITTED}, S.ENDORSED, {Actor.COUNTY}),
        _t(Action.RETURN, {S.SUBMITTED}, S.DRAFT, {Actor.COUNTY}),
        _t(Action.APPROVE, {S.ENDORSED}, S.ACTIVE, {Actor.OPS}),
        _t(Action.REJECT, {S.ENDORSED}, S.REJECTED, {Actor.OPS}),
        _t(Action.REQUEST_CHANGES, {S.ENDORSED}, S.DRAFT, {Actor.OPS}),
        _t(Action.SUSPEND, {S.ACTIVE}, S.SUSPENDED, {Actor.OPS, Actor.SYSTEM}),
        _t(Action.REINSTATE, {S.SUSPENDED}, S.ACTIVE, {Actor.OPS, Actor.SYSTEM}),
        _t(Action.TERMINATE, {S.ACTIVE, S.SUSPENDED}, S.TERMINATED, {Actor.OPS}),
    ]
}


def allowed_actions(status: str, actor: str) -> list[str]:
    """Actions ``actor`` may take on a supplier in ``status`` (for buttons and admin actions)."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources and actor in t.actors]
