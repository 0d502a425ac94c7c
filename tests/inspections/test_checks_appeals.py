"""The supplier's one appeal against a confirmed violation, decided by another reviewer."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from catalog.models import Product
from inspections.models import Appeal, CheckOutcome, CheckState, Sanction, SpotCheck
from inspections.services import check_appeals
from inspections.services import checks as services
from inspections.workflow import CheckAction
from suppliers.models import CreditEntry
from tests.inspections.check_world import ITEMS, CheckWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(listings) -> CheckWorld:
    return CheckWorld(listings)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _sanctioned(world) -> SpotCheck:
    check = world.check()
    world.sanction(check)
    check.refresh_from_db()
    return check


def test_the_supplier_appeals_within_the_window(world):
    check = _sanctioned(world)

    appeal = check_appeals.check_appeal(check=check, by=world.user, reason="实测为5kg，复核称重有误")

    check.refresh_from_db()
    assert check.state == CheckState.APPEALED
    assert (appeal.reason, appeal.filed_by, appeal.decision) == ("实测为5kg，复核称重有误", world.user, "")
    assert check.events.latest("id").action == "appeal"


def test_an_appeal_after_the_window_is_refused(world, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "APPEAL_DAYS": 7}
    check = _sanctioned(world)
    decided = timezone.now() - datetime.timedelta(days=8)
    SpotCheck.objects.filter(pk=check.pk).update(decided_at=decided)
    check.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        check_appeals.check_appeal(check=check, by=world.user, reason="太晚了")

    deadline = timezone.localtime(decided + datetime.timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    assert exc.value.messages == [
        f"The appeal window closed on {deadline}: appeals are accepted within 7 days of the decision."
    ]
    check.refresh_from_db()
    assert check.state == CheckState.CLOSED and not Appeal.objects.exists()


def test_a_second_appeal_is_refused(world):
    check = _sanctioned(world)
    check_appeals.check_appeal(check=check, by=world.user, reason="第一次")
    check_appeals.appeal_decide(check=check, by=world.second, action=CheckAction.UPHOLD, note="证据充分")

    with pytest.raises(ValidationError) as exc:
        check_appeals.check_appeal(check=check, by=world.user, reason="再申诉一次")

    assert exc.value.messages == [
        "This check has already been appealed: a finding can be appealed only once."
    ]
    check.refresh_from_db()
    assert check.state == CheckState.CLOSED
    assert Appeal.objects.get().reason == "第一次"


def test_an_appeal_needs_a_reason_and_a_confirmed_violation(world):
    check = _sanctioned(world)
    with pytest.raises(ValidationError) as exc:
        check_appeals.check_appeal(check=check, by=world.user, reason=" ")
    assert exc.value.message_dict == {"reason": ["Give the reason for your appeal."]}

    passed = world.check(world.listings.on_sale(name="合格"))
    services.check_decide(check=passed, by=world.reviewer, action=CheckAction.PASS, items=ITEMS)
    passed.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        check_appeals.check_appeal(check=passed, by=world.user, reason="?")
    assert exc.value.messages == ["Only a confirmed violation can be appealed."]
    assert not Appeal.objects.exists()


def test_another_supplier_cannot_appeal(world):
    check = _sanctioned(world)
    _other, other_user = world.listings.active_supplier()

    with pytest.raises(PermissionDenied):
        check_appeals.check_appeal(check=check, by=other_user, reason="冒名")
    assert not Appeal.objects.exists()


def test_the_checks_own_reviewer_cannot_decide_the_appeal(world):
    check = _sanctioned(world)
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    with pytest.raises(ValidationError) as exc:
        check_appeals.appeal_decide(check=check, by=world.reviewer, action=CheckAction.UPHOLD, note="维持")

    assert exc.value.messages == [
        "The reviewer who decided this check cannot decide its appeal: another reviewer must."
    ]
    check.refresh_from_db()
    assert check.state == CheckState.APPEALED
    assert Appeal.objects.get().decision == ""


def test_upholding_makes_the_sanction_final_and_tells_the_supplier(world):
    check = _sanctioned(world)
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    check_appeals.appeal_decide(check=check, by=world.second, action=CheckAction.UPHOLD, note="证据充分")

    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.FREEZE)
    appeal = Appeal.objects.get()
    assert (appeal.decision, appeal.decided_by, appeal.decision_note) == ("upheld", world.second, "证据充分")
    assert Sanction.objects.get().final is True
    note = world.notes(world.user)[-1]
    assert note.subject == f"Appeal dismissed: {world.product.name}"
    assert note.body == "Decision on your appeal: 证据充分"


def test_overturning_passes_the_check_and_undoes_the_freeze(world):
    check = _sanctioned(world)
    assert Product.objects.get(pk=world.product.pk).frozen_at is not None
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    check_appeals.appeal_decide(
        check=check, by=world.second, action=CheckAction.OVERTURN, note="复核称重无误"
    )

    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.PASS)
    sanction = Sanction.objects.get()
    assert sanction.revoked_at is not None and sanction.final is False
    product = Product.objects.get(pk=world.product.pk)
    assert (product.frozen_at, product.is_visible) == (None, True)
    assert world.notes(world.user)[-1].subject == f"Appeal granted: {world.product.name}"


def test_overturning_restores_the_points_with_a_positive_credit_entry(world, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "PENALTY_POINTS": 10}
    for i in range(2):  # two earlier violations: the next lands on the points rung
        world.sanction(world.check(world.listings.on_sale(name=f"前次{i}")))
    before = type(world.supplier).objects.get(pk=world.supplier.pk).credit_score
    check = _sanctioned(world)
    assert check.outcome == CheckOutcome.POINTS and check.penalty_points == 10
    check_appeals.check_appeal(check=check, by=world.user, reason="有误")

    check_appeals.appeal_decide(check=check, by=world.second, action=CheckAction.OVERTURN, note="撤销")

    entries = list(CreditEntry.objects.filter(supplier=world.supplier, source="spot_check").order_by("id"))
    assert [e.delta for e in entries] == [-10, 10]
    assert type(world.supplier).objects.get(pk=world.supplier.pk).credit_score == before
    check.refresh_from_db()
    assert check.penalty_points == 0


def test_a_sanction_becomes_final_when_the_window_passes_without_appeal(world, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "APPEAL_DAYS": 7}
    check = _sanctioned(world)
    appealed = world.check(world.listings.on_sale(name="申诉中"))
    world.sanction(appealed)
    check_appeals.check_appeal(check=appealed, by=world.user, reason="有误")
    assert services.checks_watch_deadlines().finalized == 0

    SpotCheck.objects.update(decided_at=timezone.now() - datetime.timedelta(days=8))

    assert services.checks_watch_deadlines().finalized == 1
    assert list(Sanction.objects.order_by("id").values_list("check_ref_id", "final")) == [
        (check.pk, True),
        (appealed.pk, False),
    ]
    assert services.checks_watch_deadlines().finalized == 0
