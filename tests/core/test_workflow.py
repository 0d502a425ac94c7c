"""The workflow kernel on its own: one table, one function that checks, locks, applies, records and
hands the change on. A small table over suppliers stands in for any app's workflow."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import translation

from core import workflow
from core.workflow import Actor, Workflow, step
from suppliers.models import SupplierEvent
from suppliers.models import SupplierStatus as S
from tests.factories import OpsFactory, SupplierFactory

pytestmark = pytest.mark.django_db


class Act(models.TextChoices):
    SUSPEND = "suspend", "Suspend"
    REINSTATE = "reinstate", "Reinstate"
    NOTE = "note", "Note"


TABLE = Workflow(
    name="test",
    transitions=(
        step(Act.SUSPEND, {S.ACTIVE}, S.SUSPENDED, {Actor.OPS}, reason_required=True),
        step(
            Act.REINSTATE,
            {S.SUSPENDED},
            S.ACTIVE,
            {Actor.OPS, Actor.SYSTEM},
            details_required=("ticket",),
            refusals=[({S.ACTIVE}, "It is not suspended.")],
        ),
    ),
    actions=Act,
    event_model=SupplierEvent,
    event_fk="supplier",
    detail_labels={"ticket": "ticket number"},
    final_states={S.TERMINATED: "This supplier has been terminated."},
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_step_is_applied_recorded_and_handed_on():
    supplier, ops = SupplierFactory(), OpsFactory()
    seen = []
    change = workflow.transition(
        TABLE,
        supplier,
        action=Act.SUSPEND,
        by=ops,
        actor=Actor.OPS,
        reason="  Licence lapsed  ",
        apply=lambda obj, t: seen.append(("apply", obj.status)) or [],
        before=lambda obj, t: seen.append(("before", obj.status)),
        after=lambda c: seen.append(("after", c.obj.status)),
    )
    supplier.refresh_from_db()
    assert supplier.status == S.SUSPENDED
    assert seen == [("before", S.ACTIVE), ("apply", S.SUSPENDED), ("after", S.SUSPENDED)]
    event = SupplierEvent.objects.get(supplier=supplier)
    assert (
        event.action,
        event.from_status,
        event.to_status,
        event.actor,
        event.actor_role,
        event.reason,
    ) == (
        "suspend",
        S.ACTIVE,
        S.SUSPENDED,
        ops,
        Actor.OPS,
        "Licence lapsed",
    )
    assert change.event == event and change.previous == S.ACTIVE


def test_nothing_outside_the_table_happens_and_each_refusal_says_why():
    supplier = SupplierFactory()
    ops = OpsFactory()

    def attempt(action, actor, **kwargs):
        return workflow.transition(TABLE, supplier, action=action, by=ops, actor=actor, **kwargs)

    with pytest.raises(ValidationError) as unknown:
        attempt("fly", Actor.OPS)
    assert unknown.value.code == "unknown_action"
    with pytest.raises(PermissionDenied):
        attempt(Act.SUSPEND, Actor.SUPPLIER, reason="x")  # not this actor's step
    with pytest.raises(ValidationError) as no_reason:
        attempt(Act.SUSPEND, Actor.OPS, reason="   ")
    assert no_reason.value.message_dict == {"reason": ["Give a reason: the other party will read it."]}
    with pytest.raises(ValidationError) as named:
        attempt(Act.REINSTATE, Actor.OPS, details={"ticket": "T1"})
    assert named.value.messages == ["It is not suspended."]
    supplier.status = S.DRAFT
    supplier.save(update_fields=["status"])
    with pytest.raises(ValidationError) as generic:
        attempt(Act.REINSTATE, Actor.OPS, details={"ticket": "T1"})
    assert generic.value.messages == ["“Reinstate” is not possible while it is “Draft”."]
    supplier.status = S.TERMINATED
    supplier.save(update_fields=["status"])
    with pytest.raises(ValidationError) as final:
        attempt(Act.REINSTATE, Actor.OPS, details={"ticket": "T1"})
    assert final.value.messages == ["This supplier has been terminated."]
    assert not SupplierEvent.objects.exists()


def test_required_details_are_asked_for_by_name_and_kept_on_the_event():
    supplier = SupplierFactory(status=S.SUSPENDED)
    with pytest.raises(ValidationError) as missing:
        workflow.transition(TABLE, supplier, action=Act.REINSTATE, by=None, actor=Actor.SYSTEM)
    assert missing.value.message_dict == {"ticket": ["Give the ticket number."]}
    workflow.transition(
        TABLE, supplier, action=Act.REINSTATE, by=None, actor=Actor.SYSTEM, details={"ticket": 42}
    )
    event = SupplierEvent.objects.get()
    assert (event.actor, event.actor_role, event.details) == (None, Actor.SYSTEM, {"ticket": "42"})


def test_the_table_answers_what_each_actor_may_do():
    assert TABLE.allowed(S.SUSPENDED, Actor.SYSTEM) == [Act.REINSTATE]
    assert TABLE.allowed(S.ACTIVE, Actor.OPS) == [Act.SUSPEND]
    assert TABLE.allowed(S.ACTIVE, Actor.SUPPLIER) == []


def test_a_step_that_leaves_the_state_alone_is_recorded_too():
    supplier, ops = SupplierFactory(), OpsFactory()
    event = workflow.record(TABLE, supplier, action=Act.NOTE, previous=S.ACTIVE, by=ops, actor=Actor.OPS)
    assert (event.from_status, event.to_status) == (S.ACTIVE, S.ACTIVE)
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save()
