"""The workflow kernel: one ``Transition`` type, one ``Workflow`` table per kind of object, one function
that changes a state.

Each app declares its table in its own ``workflow.py`` (listings, supplier applications, orders,
after-sales requests; spot checks and campaign submissions likewise) and calls ``transition()`` from its
service. ``transition()`` checks the step (the state it starts from, the actor's role, the reason and the
details it needs), takes the object's row lock, applies the new state, writes the append-only event
(who, in which role, when, why, with which details) and hands the change to the app's ``after`` hook
(notifications: their e-mails leave only after commit). Anything not in the table is refused.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.audit import Kind, audit


class Actor(models.TextChoices):
    """In which capacity someone acts on an object: one vocabulary for every workflow."""

    SUPPLIER = "supplier", _("the supplier")
    COUNTY = "county", _("the county office")
    BUYER = "buyer", _("the buyer")
    OPS = "ops", _("operations staff")
    SYSTEM = "system", _("the platform")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False
    details_required: tuple[str, ...] = ()
    # What to tell someone who tries this step while the object is in one of these other states.
    refusals: tuple[tuple[frozenset[str], Promise], ...] = ()


def step(
    action: str,
    sources: Iterable[str],
    target: str,
    actors: Iterable[str],
    *,
    reason_required: bool = False,
    details_required: tuple[str, ...] = (),
    refusals: Iterable[tuple[Iterable[str], Promise]] = (),
) -> Transition:
    """A row of a workflow table, written compactly."""
    return Transition(
        action=action,
        sources=frozenset(sources),
        target=target,
        actors=frozenset(actors),
        reason_required=reason_required,
        details_required=tuple(details_required),
        refusals=tuple((frozenset(states), message) for states, message in refusals),
    )


GIVE_A_REASON = _("Give a reason: the other party will read it.")
NOT_POSSIBLE_NOW = _("“%(action)s” is not possible while it is “%(status)s”.")
NOT_YOURS = _("You may not do this.")


@dataclass(frozen=True)
class Workflow:
    """The table of one kind of object: its transitions, the event model that records them and how
    its steps and states are named in messages."""

    name: str
    transitions: tuple[Transition, ...]
    actions: type[models.TextChoices]
    event_model: Any
    event_fk: str
    state_field: str = "status"
    # Set to the time of the change when the model has the field.
    changed_at_field: str | None = "status_changed_at"
    reason_message: Promise = GIVE_A_REASON
    detail_labels: dict[str, Promise] = field(default_factory=dict)
    # Said when the object is in a state no step leaves from (e.g. "This order has been cancelled.").
    final_states: dict[str, Promise] = field(default_factory=dict)
    # Said when a step is refused in a state no refusal names (``%(action)s``, ``%(status)s``), and when
    # the actor has no say in a step that exists (``%(action)s``): each kind of object may name itself.
    refusal_message: Promise = NOT_POSSIBLE_NOW
    denied_message: Promise = NOT_YOURS

    def find(self, action: str, actor: str | None) -> Transition | None:
        """The row for ``action`` taken by ``actor`` (None when there is none)."""
        return next((t for t in self.transitions if t.action == action and actor in t.actors), None)

    def knows(self, action: str) -> bool:
        return any(t.action == action for t in self.transitions)

    def allowed(self, status: str, actor: str | None) -> list[str]:
        """Actions ``actor`` may take on an object in ``status`` (for buttons and admin actions)."""
        seen: list[str] = []
        for t in self.transitions:
            if actor in t.actors and status in t.sources and t.action not in seen:
                seen.append(t.action)
        return seen

    def action_label(self, action: str) -> str:
        try:
            return str(self.actions(action).label)
        except ValueError:
            return action


@dataclass
class Change:
    """A transition that was applied: what ``after`` hooks and callers get back."""

    obj: Any
    transition: Transition
    previous: str
    by: Any
    actor: str
    reason: str
    details: dict[str, str]
    event: Any

    @property
    def action(self) -> str:
        return self.transition.action


def check(
    workflow: Workflow, obj, *, action: str, actor: str | None, reason: str, details: dict[str, Any]
) -> Transition:
    """The transition ``actor`` asks for, or the refusal, said in the reader's terms.

    PermissionDenied when the actor has no say in this step at all; ValidationError (code
    ``invalid_transition``, ``reason_required`` or ``details_required``) when the step is not possible now.
    """
    if not workflow.knows(action):
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    transition = workflow.find(action, actor)
    if transition is None:
        raise PermissionDenied(str(workflow.denied_message) % {"action": workflow.action_label(action)})
    status = getattr(obj, workflow.state_field)
    if status not in transition.sources:
        raise ValidationError(_refusal(workflow, transition, obj, status), code="invalid_transition")
    if transition.reason_required and not reason:
        raise ValidationError({"reason": workflow.reason_message}, code="reason_required")
    missing = [name for name in transition.details_required if not str(details.get(name) or "").strip()]
    if missing:
        raise ValidationError(
            {
                name: _("Give the %(detail)s.") % {"detail": workflow.detail_labels.get(name, name)}
                for name in missing
            },
            code="details_required",
        )
    return transition


def _refusal(workflow: Workflow, transition: Transition, obj, status: str) -> str:
    if status in workflow.final_states:
        return str(workflow.final_states[status])
    for states, message in transition.refusals:
        if status in states:
            return str(message)
    return str(workflow.refusal_message) % {
        "action": workflow.action_label(transition.action),
        "status": getattr(obj, f"get_{workflow.state_field}_display")(),
    }


def lock(obj):
    """``obj`` re-read under its row lock (call inside a transaction)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


@transaction.atomic
def transition(
    workflow: Workflow,
    obj,
    *,
    action: str,
    by,
    actor: str | None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    locked: bool = False,
    before: Callable[[Any, Transition], None] | None = None,
    apply: Callable[[Any, Transition], list[str]] | None = None,
    after: Callable[[Change], None] | None = None,
) -> Change:
    """Move ``obj`` along ``workflow``: check, lock, apply, record, then ``after``.

    ``by`` is the user (None when the platform acts by itself) and ``actor`` the capacity they act in,
    decided by the app (``accounts.actors.actor_of``). ``before(obj, transition)`` runs the domain's own
    checks on the locked object (e.g. the listing pre-check) and raises to refuse; ``apply`` sets the
    fields that go with the new state and returns their names; ``after(change)`` runs inside the same
    transaction (the follow-up writes and the notifications, whose e-mails wait for the commit).
    Pass ``locked=True`` when the caller already holds the object's lock (its lock order comes first).
    """
    details = {k: v for k, v in (details or {}).items() if v not in (None, "")}
    reason = (reason or "").strip()
    obj = obj if locked else lock(obj)
    chosen = check(workflow, obj, action=action, actor=actor, reason=reason, details=details)
    if before is not None:
        before(obj, chosen)
    previous = getattr(obj, workflow.state_field)
    now = timezone.now()
    setattr(obj, workflow.state_field, chosen.target)
    fields = [workflow.state_field]
    if workflow.changed_at_field:
        setattr(obj, workflow.changed_at_field, now)
        fields.append(workflow.changed_at_field)
    if apply is not None:
        fields += apply(obj, chosen)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(fields)))
    event = record(
        workflow,
        obj,
        action=action,
        previous=previous,
        by=by,
        actor=actor or "",
        reason=reason,
        details=details,
    )
    change = Change(
        obj, chosen, previous, by, actor or "", reason, {k: str(v) for k, v in details.items()}, event
    )
    if after is not None:
        after(change)
    return change


def record(
    workflow: Workflow, obj, *, action: str, previous: str, by, actor: str, reason: str = "", details=None
):
    """Write one append-only event; also for steps that leave the state as it is (a payment, a refund).

    Every state change (and every recorded step) is also one ``state_change`` entry in the audit log."""
    event = workflow.event_model.objects.create(
        **{workflow.event_fk: obj},
        action=action,
        from_status=previous,
        to_status=getattr(obj, workflow.state_field),
        actor=by,
        actor_role=actor,
        reason=reason,
        details={k: str(v) for k, v in (details or {}).items()},
    )
    audit(
        kind=Kind.STATE_CHANGE,
        user=by,
        object_type=obj._meta.label,
        object_id=obj.pk,
        action=action,
        details={"workflow": workflow.name, "from": previous, "to": event.to_status, "as": actor},
    )
    return event
