"""A reviewer's check: who acts, the outcome with the items examined and the evidence, rectification
rounds, the supplier's answer, re-checks, and the deadline watch."""

import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from accounts.models import Notification
from catalog import services as catalog_services
from catalog.models import Product
from catalog.workflow import ProductAction
from inspections.models import CheckEvidence, CheckOutcome, CheckState, Rectification, Sanction
from inspections.services import checks as services
from inspections.services.checks import Evidence
from inspections.workflow import CheckAction
from tests.catalog.conftest import jpeg_upload
from tests.factories import OpsFactory
from tests.inspections.check_world import FINDING, ITEMS, CheckWorld, in_days, not_an_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(listings) -> CheckWorld:
    return CheckWorld(listings)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Pass, and the refusals ------------------------------------------------------------------------


def test_a_pass_closes_the_check_with_the_items_examined(world):
    check = world.check()

    services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=["price", "listing"])

    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.PASS)
    assert check.items_examined == ["price", "listing"]
    assert check.closed_at is not None and check.decided_at is not None
    event = check.events.get()
    assert (event.action, event.actor, event.actor_role, event.to_status) == (
        "pass",
        world.reviewer,
        "ops",
        CheckState.CLOSED,
    )


def test_an_outcome_without_the_items_examined_is_refused(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=[])

    assert exc.value.message_dict == {"items": ["Tick the items you examined: an outcome needs them."]}
    check.refresh_from_db()
    assert (check.state, check.outcome, check.items_examined) == (CheckState.ASSIGNED, "", [])
    assert not check.events.exists()


def test_an_unknown_item_is_refused(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=["colour"])

    assert exc.value.message_dict == {"items": ["Unknown check item: colour."]}
    assert not check.events.exists()


def test_a_finding_without_evidence_is_refused(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(
            check=check,
            by=world.reviewer,
            action=CheckAction.RECTIFY,
            items=ITEMS,
            finding=FINDING,
            deadline=in_days(7),
        )

    assert exc.value.message_dict == {
        "evidence": ["A finding needs evidence: a photo, a document or a test purchase."]
    }
    check.refresh_from_db()
    assert check.state == CheckState.ASSIGNED
    assert not Rectification.objects.exists() and not check.events.exists()
    assert not Notification.objects.filter(user=world.user, subject__contains="Rectify").exists()


def test_a_finding_needs_its_text(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(
            check=check, by=world.reviewer, action=CheckAction.SANCTION, items=ITEMS, evidence=world.photo()
        )

    assert exc.value.message_dict == {"finding": ["Say what was found: the supplier will read it."]}
    assert not CheckEvidence.objects.exists() and not Sanction.objects.exists()


@pytest.mark.parametrize("days", [-1, 0])
def test_a_rectification_deadline_in_the_past_is_refused(world, days):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        world.rectify(check, days=days)

    assert exc.value.message_dict == {"deadline": ["The rectification deadline must be in the future."]}
    check.refresh_from_db()
    assert (check.state, check.deadline) == (CheckState.ASSIGNED, None)
    assert not Rectification.objects.exists() and not CheckEvidence.objects.exists()


def test_a_reviewer_acting_on_a_check_not_assigned_to_them_is_refused(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(check=check, by=world.second, action=CheckAction.PASS, items=ITEMS)

    assert exc.value.messages == ["This check is assigned to someone else."]
    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.ASSIGNED, "")
    assert not check.events.exists()


def test_an_unassigned_check_must_be_assigned_first(world):
    check = world.check(reviewer=None)

    with pytest.raises(ValidationError) as exc:
        services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=ITEMS)

    assert exc.value.messages == ["This check has no reviewer yet: assign one first."]


def test_ops_without_the_permission_and_suppliers_cannot_decide(world):
    check = world.check(reviewer=world.listings.ops)  # content ops: no right on checks

    for user in (world.listings.ops, world.user):
        with pytest.raises(PermissionDenied):
            services.check_decide(check=check, by=user, action=CheckAction.PASS, items=ITEMS)
    assert not check.events.exists()


def test_a_bad_upload_is_refused_and_nothing_is_stored(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_decide(
            check=check,
            by=world.reviewer,
            action=CheckAction.SANCTION,
            items=ITEMS,
            finding=FINDING,
            evidence=Evidence(photos=[jpeg_upload(), not_an_image()]),
        )

    assert list(exc.value.message_dict) == ["evidence"]
    assert "looks like a program" in exc.value.message_dict["evidence"][0]
    check.refresh_from_db()
    assert check.state == CheckState.ASSIGNED
    assert not CheckEvidence.objects.exists() and not Sanction.objects.exists()
    assert Product.objects.get(pk=world.product.pk).frozen_at is None


# --- Rectification ---------------------------------------------------------------------------------


def test_rectify_sets_a_round_stores_the_evidence_and_tells_the_supplier(world):
    check = world.check()

    world.rectify(check, days=10)

    check.refresh_from_db()
    assert (check.state, check.outcome, check.deadline) == (
        CheckState.RECTIFYING,
        CheckOutcome.RECTIFY,
        in_days(10),
    )
    assert check.finding == FINDING
    assert list(check.rectifications.values_list("deadline", flat=True)) == [in_days(10)]
    evidence = check.evidence.get()
    assert (evidence.kind, evidence.file_type, evidence.by_supplier) == ("photo", "image/jpeg", False)
    assert evidence.file.name.startswith(f"inspections/{check.pk}/")
    note = world.notes(world.user)[-1]
    assert note.subject == f"Rectify “{world.product.name}” by {in_days(10).isoformat()}"
    assert FINDING in note.body and note.link == f"/supplier/checks/{check.pk}/"
    assert Product.objects.get(pk=world.product.pk).frozen_at is None


def test_rectify_can_freeze_the_listing_meanwhile_and_the_passed_recheck_lifts_it(world):
    check = world.check()
    world.rectify(check, freeze=True)
    product = Product.objects.get(pk=world.product.pk)
    assert product.frozen_at is not None and product.frozen_reason == FINDING and not product.is_visible

    world.respond(check)
    services.check_decide(check=check, by=world.reviewer, action=CheckAction.RECHECK_PASS, items=ITEMS)

    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.PASS)
    product.refresh_from_db()
    assert (product.frozen_at, product.frozen_reason, product.is_visible) == (None, "", True)
    current = check.rectifications.get()
    assert current.recheck_passed is True and current.rechecked_at is not None
    assert world.notes(world.user)[-1].subject == f"Rectification accepted: {world.product.name}"


def test_the_supplier_s_answer_keeps_pictures_as_photos_and_pdfs_as_documents(world):
    check = world.check()
    world.rectify(check)
    big = jpeg_upload("label.jpg", size=(3000, 1000))

    services.check_respond(
        check=check, by=world.user, text="已更正", evidence=Evidence(files=[big, _pdf_upload()])
    )

    supplier_files = check.evidence.filter(by_supplier=True).order_by("id")
    assert [(e.kind, e.file_type) for e in supplier_files] == [
        ("photo", "image/jpeg"),
        ("document", "application/pdf"),
    ]
    with supplier_files[0].file.open("rb") as f:
        assert Image.open(f).size == (services.EVIDENCE_IMAGE_MAX_SIDE, 800)  # sized as photos are


def test_a_bad_file_in_the_answer_saves_nothing(world):
    check = world.rectify(world.check())
    before = check.evidence.count()

    with pytest.raises(ValidationError) as exc:
        services.check_respond(
            check=check, by=world.user, text="已更正", evidence=Evidence(files=[not_an_image()])
        )

    assert list(exc.value.message_dict) == ["evidence"]
    check.refresh_from_db()
    assert (check.state, check.evidence.count()) == (CheckState.RECTIFYING, before)


def _pdf_upload():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("report.pdf", buffer.getvalue(), content_type="application/pdf")


def test_the_supplier_answers_and_the_reviewer_is_told(world):
    check = world.check()
    world.rectify(check)

    services.check_respond(
        check=check, by=world.user, text="已更正规格", evidence=Evidence(documents=[jpeg_upload("scan.jpg")])
    )

    check.refresh_from_db()
    assert check.state == CheckState.RESPONDED
    current = check.rectifications.get()
    assert (current.response, current.responded_by) == ("已更正规格", world.user)
    assert check.evidence.filter(by_supplier=True, kind="document").count() == 1
    note = world.notes(world.reviewer)[-1]
    assert note.subject == f"Check #{check.pk}: the supplier answered"
    assert note.link == f"/ops/checks/{check.pk}/"


def test_an_answer_without_text_is_refused(world):
    check = world.check()
    world.rectify(check)

    with pytest.raises(ValidationError) as exc:
        services.check_respond(check=check, by=world.user, text="  ")

    assert exc.value.message_dict == {"response": ["Say what you changed."]}
    check.refresh_from_db()
    assert check.state == CheckState.RECTIFYING


def test_a_late_answer_is_refused(world):
    check = world.check()
    world.rectify(check)
    Rectification.objects.filter(check_ref=check).update(deadline=in_days(-1))

    with pytest.raises(ValidationError) as exc:
        world.respond(check)

    assert exc.value.messages == [
        f"The deadline ({in_days(-1).isoformat()}) has passed: the answer can no longer be given."
    ]
    check.refresh_from_db()
    assert check.state == CheckState.RECTIFYING
    assert check.rectifications.get().responded_at is None


def test_another_supplier_cannot_answer(world):
    check = world.check()
    world.rectify(check)
    _other, other_user = world.listings.active_supplier()

    with pytest.raises(PermissionDenied):
        services.check_respond(check=check, by=other_user, text="不是我的")
    check.refresh_from_db()
    assert check.state == CheckState.RECTIFYING


def test_the_supplier_may_change_its_listing_while_rectifying(world):
    check = world.check()
    world.rectify(check, freeze=True)
    sku = world.product.skus.order_by("position").first()

    catalog_services.sku_update(sku=sku, by=world.user, spec="2.5kg/箱")

    sku.refresh_from_db()
    assert sku.spec == "2.5kg/箱"


def test_a_failed_recheck_opens_a_new_round(world):
    check = world.check()
    world.rectify(check, days=5)
    world.respond(check)

    services.check_decide(
        check=check,
        by=world.reviewer,
        action=CheckAction.RECHECK_FAIL,
        items=ITEMS,
        finding="仍未更正",
        deadline=in_days(9),
    )

    check.refresh_from_db()
    assert (check.state, check.deadline, check.finding) == (CheckState.RECTIFYING, in_days(9), "仍未更正")
    first, second = check.rectifications.order_by("id")
    assert (first.recheck_passed, first.recheck_note) == (False, "仍未更正")
    assert (second.deadline, second.responded_at) == (in_days(9), None)


def test_a_recheck_before_the_answer_is_refused(world):
    check = world.check()
    world.rectify(check)

    with pytest.raises(ValidationError) as exc:
        services.check_decide(check=check, by=world.reviewer, action=CheckAction.RECHECK_PASS, items=ITEMS)

    assert "not possible while the check is" in exc.value.messages[0]
    check.refresh_from_db()
    assert check.state == CheckState.RECTIFYING


# --- The deadline watch ----------------------------------------------------------------------------


def test_the_watch_closes_an_unanswered_rectification_with_the_ladders_sanction(world):
    check = world.check()
    world.rectify(check)
    answered = world.check(world.listings.on_sale(name="答复了的"))
    world.rectify(answered)
    world.respond(answered)
    Rectification.objects.update(deadline=in_days(-1))

    result = services.checks_watch_deadlines()

    assert (result.expired, result.finalized) == (1, 0)
    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.FREEZE)
    event = check.events.latest("id")
    assert (event.action, event.actor, event.actor_role) == ("expire", None, "system")
    sanction = Sanction.objects.get()
    assert (sanction.check_ref, sanction.step, sanction.by, sanction.final) == (
        check,
        "freeze",
        world.reviewer,
        False,
    )
    assert Product.objects.get(pk=world.product.pk).frozen_at is not None
    answered.refresh_from_db()
    assert answered.state == CheckState.RESPONDED
    # A second run changes nothing.
    assert services.checks_watch_deadlines().expired == 0
    assert Sanction.objects.count() == 1


def test_a_rectification_due_today_is_not_expired(world):
    check = world.check()
    world.rectify(check)
    Rectification.objects.update(deadline=timezone.localdate())

    assert services.checks_watch_deadlines().expired == 0
    check.refresh_from_db()
    assert check.state == CheckState.RECTIFYING


# --- Targeted checks and reassignment --------------------------------------------------------------


def test_a_targeted_check_never_goes_to_the_one_who_approved_the_listing(world):
    approver = OpsFactory(teams=["internal_control", "content_ops"])
    product = world.listings.product(name="内控审核的")
    catalog_services.product_transition(product=product, action=ProductAction.SUBMIT, by=world.user)
    catalog_services.product_transition(product=product, action=ProductAction.APPROVE, by=approver)

    reviewers = {
        services.check_open_targeted(product=product, by=world.reviewer, reason="举报属实").reviewer
        for _ in range(15)
    }

    assert approver not in reviewers and None not in reviewers
    check = product.spot_checks.first()
    assert (check.kind, check.supplier_id, check.category_id) == (
        "targeted",
        world.supplier.pk,
        product.category_id,
    )
    assert check.events.get().action == "open"


def test_a_targeted_check_is_left_unassigned_when_no_one_is_eligible(world):
    approver = OpsFactory(teams=["internal_control", "content_ops"])
    product = world.listings.product(name="无人可派")
    catalog_services.product_transition(product=product, action=ProductAction.SUBMIT, by=world.user)
    catalog_services.product_transition(product=product, action=ProductAction.APPROVE, by=approver)
    type(approver).objects.filter(groups__name="internal_control").exclude(pk=approver.pk).update(
        is_active=False
    )

    check = services.check_open_targeted(product=product, by=approver, reason="风险")

    assert check.reviewer is None and check.state == CheckState.ASSIGNED


def test_only_ops_with_the_right_open_targeted_checks(world):
    with pytest.raises(ValidationError):
        services.check_open_targeted(product=world.product, by=world.listings.ops, reason="想查")
    assert not world.product.spot_checks.exists()


def test_internal_control_may_reassign_and_it_is_recorded(world):
    check = world.check()

    services.check_reassign(check=check, reviewer=world.second, by=world.second, reason="休假")

    check.refresh_from_db()
    assert check.reviewer == world.second
    event = check.events.get()
    assert (event.action, event.details, event.reason) == (
        "reassign",
        {"from": str(world.reviewer.pk), "to": str(world.second.pk)},
        "休假",
    )


def test_reassigning_to_someone_ineligible_or_without_the_right_is_refused(world):
    check = world.check()

    with pytest.raises(ValidationError) as exc:
        services.check_reassign(check=check, reviewer=world.listings.ops, by=world.second)
    assert exc.value.message_dict == {
        "reviewer": ["Choose internal-control staff who did not approve this listing."]
    }
    with pytest.raises(ValidationError):
        services.check_reassign(check=check, reviewer=world.second, by=world.listings.ops)
    check.refresh_from_db()
    assert check.reviewer == world.reviewer and not check.events.exists()


def test_evidence_already_on_the_check_counts_for_a_later_finding(world):
    check = world.check()
    world.rectify(check)
    world.respond(check)

    services.check_decide(
        check=check, by=world.reviewer, action=CheckAction.SANCTION, items=ITEMS, finding="复查未通过"
    )

    check.refresh_from_db()
    assert (check.state, check.outcome) == (CheckState.CLOSED, CheckOutcome.FREEZE)
    assert check.rectifications.get().recheck_passed is False


def test_nothing_is_decided_twice(world):
    check = world.check()
    services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=ITEMS)

    with pytest.raises(ValidationError):
        services.check_decide(check=check, by=world.reviewer, action=CheckAction.PASS, items=ITEMS)
    assert check.events.count() == 1
