"""Reports (举报), the services: filing by buyers and visitors, every bad input refused with nothing
saved (no row, no file), the hourly limit, triage through the REPORT workflow and the targeted check
a confirmation may open."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification, User
from catalog import services as catalog_services
from catalog.workflow import ProductAction
from inspections.models import CheckState, Report, ReportEvent, ReportPhoto, ReportState, SpotCheck
from inspections.selectors import reports as selectors
from inspections.services import checks as check_services
from inspections.services import reports as services
from suppliers.models import SupplierStatus
from tests.catalog.conftest import jpeg_upload
from tests.factories import OpsFactory, SupplierFactory

pytestmark = pytest.mark.usefixtures("english")

TEXT = "标称5kg实际不足4kg，价格也明显偏高。"


def _file(**kwargs) -> Report:
    return services.report_file(**{"kind": "quality", "description": TEXT, **kwargs})


def _stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "reports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _nothing_saved():
    assert Report.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert _stored_files() == []


def _refusal(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# --- Filing ------------------------------------------------------------------------------------------


def test_a_buyer_reports_a_listing_its_supplier_is_recorded_and_the_photo_kept_private(listings, buyer):
    product = listings.on_sale()
    report = _file(product=product, reporter=buyer, photos=[jpeg_upload()], contact="13800000000")

    report.refresh_from_db()
    assert (report.kind, report.product_id, report.supplier_id) == (
        "quality",
        product.pk,
        listings.supplier.pk,
    )
    assert (report.reporter_id, report.state, report.description) == (buyer.pk, ReportState.NEW, TEXT)
    assert report.contact == ""  # a signed-in buyer is reached through the account
    photo = report.photos.get()
    assert Path(photo.image.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert photo.image.read()[:2] == b"\xff\xd8"
    event = report.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor_id, event.actor_role) == (
        "file",
        "",
        "new",
        buyer.pk,
        "buyer",
    )


def test_a_visitor_reports_a_supplier_with_a_contact(listings):
    report = _file(
        kind="qualification", supplier=listings.supplier, contact=" 13800000000 ", address="10.0.0.1"
    )
    assert (report.product_id, report.supplier_id, report.reporter_id) == (None, listings.supplier.pk, None)
    assert report.contact == "13800000000"
    assert report.events.get().actor_role == ""


def test_no_listing_or_supplier(db):
    with pytest.raises(ValidationError) as exc:
        _file()
    assert _refusal(exc) == {"product": ["Choose the listing or the supplier you are reporting."]}
    _nothing_saved()


def test_a_listing_buyers_cannot_see(listings):
    draft = listings.product()
    with pytest.raises(ValidationError) as exc:
        _file(product=draft, photos=[jpeg_upload()])
    assert _refusal(exc) == {
        "product": ["This listing is not on sale: only listings buyers can see can be reported."]
    }
    _nothing_saved()


def test_a_supplier_that_is_not_active(db):
    suspended = SupplierFactory(status=SupplierStatus.SUSPENDED)
    with pytest.raises(ValidationError) as exc:
        _file(supplier=suspended)
    assert _refusal(exc) == {
        "supplier": ["This supplier is not active on the platform: it cannot be reported."]
    }
    _nothing_saved()


def test_a_listing_and_another_supplier(listings):
    product = listings.on_sale()
    with pytest.raises(ValidationError) as exc:
        _file(product=product, supplier=SupplierFactory())
    assert _refusal(exc) == {"supplier": ["This listing is not sold by this supplier."]}
    _nothing_saved()


@pytest.mark.parametrize("description", ["", "   ", "太贵了"])
def test_an_empty_or_too_short_description(listings, description):
    product = listings.on_sale()
    with pytest.raises(ValidationError) as exc:
        _file(product=product, description=description, photos=[jpeg_upload()])
    assert _refusal(exc) == {
        "description": ["Describe what is wrong in at least 8 characters: staff act on what you write."]
    }
    _nothing_saved()


def test_an_unknown_kind(listings):
    with pytest.raises(ValidationError) as exc:
        _file(product=listings.on_sale(), kind="rumour")
    assert list(_refusal(exc)) == ["kind"]
    _nothing_saved()


def test_a_photo_that_is_not_an_image(listings):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        _file(product=listings.on_sale(), photos=[jpeg_upload(), fake])
    assert _refusal(exc) == {
        "photos": [
            "photo.jpg: This file looks like a program, not a document or picture. Accepted types: JPEG, PNG."
        ]
    }
    _nothing_saved()


def test_an_oversized_photo(listings):
    huge = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"\0" * (8 * 1024 * 1024), content_type="image/jpeg"
    )
    with pytest.raises(ValidationError) as exc:
        _file(product=listings.on_sale(), photos=[huge])
    (message,) = _refusal(exc)["photos"]
    assert message.startswith("big.jpg: The file is") and "the limit is 8.0 MB" in message
    _nothing_saved()


def test_too_many_photos(listings, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "REPORT_MAX_PHOTOS": 2}
    with pytest.raises(ValidationError) as exc:
        _file(product=listings.on_sale(), photos=[jpeg_upload(), jpeg_upload(), jpeg_upload()])
    assert _refusal(exc) == {"photos": ["At most 2 photos; you sent 3."]}
    _nothing_saved()


def test_every_problem_is_told_at_once(db):
    with pytest.raises(ValidationError) as exc:
        _file(kind="", description="", photos=[SimpleUploadedFile("a.txt", b"hello")])
    assert set(_refusal(exc)) == {"product", "kind", "description", "photos"}


def test_a_failure_after_the_photos_were_stored_leaves_no_file(listings, monkeypatch):
    product = listings.on_sale()

    def broken(*args, **kwargs):
        raise RuntimeError("the history table is gone")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        _file(product=product, photos=[jpeg_upload(), jpeg_upload(colour=(0, 90, 0))])
    _nothing_saved()


def test_only_buyers_and_visitors_file(listings):
    with pytest.raises(PermissionDenied):
        _file(product=listings.on_sale(), reporter=listings.user)
    _nothing_saved()


# --- The hourly limit --------------------------------------------------------------------------------


@pytest.fixture
def limits(settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "REPORTS_PER_HOUR": 2, "REPORTS_PER_HOUR_SIGNED_IN": 3}


def test_an_address_files_at_most_its_hourly_reports(listings, limits):
    supplier = listings.supplier
    _file(supplier=supplier, address="10.0.0.1")
    _file(supplier=supplier, address="10.0.0.1")
    with pytest.raises(ValidationError) as exc:
        _file(supplier=supplier, address="10.0.0.1")
    assert exc.value.code == "rate_limited"
    assert exc.value.messages == [
        "You have filed the most reports allowed in an hour. Please try again later."
    ]
    assert Report.objects.count() == 2
    _file(supplier=supplier, address="10.0.0.2")  # another address has its own count
    assert Report.objects.count() == 3


def test_a_refused_report_does_not_count(listings, limits):
    for _ in range(3):
        with pytest.raises(ValidationError):
            _file(supplier=listings.supplier, description="短", address="10.0.0.1")
    assert not services.report_rate_limited(reporter=None, address="10.0.0.1")


def test_a_signed_in_buyer_has_a_higher_limit_of_its_own(listings, buyer, limits):
    for _ in range(3):
        _file(supplier=listings.supplier, reporter=buyer, address="10.0.0.1")
    with pytest.raises(ValidationError):
        _file(supplier=listings.supplier, reporter=buyer, address="10.0.0.9")
    # The buyer's reports did not use up the address's anonymous reports.
    _file(supplier=listings.supplier, address="10.0.0.1")
    assert Report.objects.filter(reporter=buyer).count() == 3


# --- Triage ------------------------------------------------------------------------------------------


@pytest.fixture
def filed(listings, buyer):
    product = listings.on_sale()
    Notification.objects.all().delete()  # the onboarding's and the listing's messages
    return _file(product=product, reporter=buyer, photos=[jpeg_upload()])


def _notes(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_taking_up_a_report_records_the_handler_and_tells_the_reporter(filed, buyer, service_ops, listings):
    report = services.report_decide(report=filed, by=service_ops, action="triage")
    report.refresh_from_db()
    assert (report.state, report.handled_by_id, report.decided_at) == (
        ReportState.TRIAGED,
        service_ops.pk,
        None,
    )
    event = report.events.order_by("id").last()
    assert (event.action, event.from_status, event.to_status, event.actor_id, event.actor_role) == (
        "triage",
        "new",
        "triaged",
        service_ops.pk,
        "ops",
    )
    (note,) = _notes(buyer)
    assert note.subject == "Your report: Being looked into"
    assert note.link == f"/reports/{report.code}/"
    assert _notes(listings.user) == []


@pytest.mark.parametrize("action", ["confirm", "dismiss"])
def test_confirming_or_dismissing_needs_a_reason(filed, buyer, service_ops, action):
    with pytest.raises(ValidationError) as exc:
        services.report_decide(report=filed, by=service_ops, action=action, reason="  ")
    assert _refusal(exc) == {"reason": ["Give a reason: the reporter will read it."]}
    filed.refresh_from_db()
    assert (filed.state, filed.handled_by_id, filed.events.count()) == (ReportState.NEW, None, 1)
    assert _notes(buyer) == []


def test_dismissing_tells_the_reporter_why_and_not_the_supplier(filed, buyer, service_ops, listings):
    report = services.report_decide(
        report=filed, by=service_ops, action="dismiss", reason="抽检复核重量合格。"
    )
    report.refresh_from_db()
    assert (report.state, report.decision_note) == (ReportState.DISMISSED, "抽检复核重量合格。")
    assert report.decided_at is not None
    assert [n.body for n in _notes(buyer)] == ["抽检复核重量合格。"]
    assert _notes(listings.user) == []


def test_confirming_tells_the_supplier_without_the_reporter(filed, buyer, service_ops, listings):
    services.report_decide(report=filed, by=service_ops, action="triage")
    services.report_decide(
        report=filed, by=service_ops, action="confirm", reason="实测净重4.1kg，与标称不符。"
    )
    filed.refresh_from_db()
    assert filed.state == ReportState.CONFIRMED
    (note,) = _notes(listings.user)
    assert note.subject == "A report about “秭归脐橙 当季现摘” was confirmed"
    assert note.body == "About: Quality. Finding: 实测净重4.1kg，与标称不符。"
    assert note.link == f"/suppliers/products/{filed.product_id}/"
    for secret in (buyer.username, buyer.display_name, TEXT):
        assert secret not in note.subject + note.body
    assert SpotCheck.objects.count() == 0  # no check unless asked


def test_a_decided_report_cannot_be_decided_again(filed, service_ops):
    services.report_decide(report=filed, by=service_ops, action="dismiss", reason="不成立")
    with pytest.raises(ValidationError) as exc:
        services.report_decide(report=filed, by=service_ops, action="confirm", reason="改判")
    assert exc.value.messages == ["“Confirm” is not possible while the report is “Dismissed”."]
    filed.refresh_from_db()
    assert (filed.state, filed.decision_note) == (ReportState.DISMISSED, "不成立")


def test_ops_without_the_permission_and_other_users_cannot_decide(filed, listings, buyer):
    for user in (OpsFactory(teams=["content_ops"]), buyer, listings.user):
        with pytest.raises(PermissionDenied):
            services.report_decide(report=filed, by=user, action="triage")
    filed.refresh_from_db()
    assert (filed.state, filed.events.count()) == (ReportState.NEW, 1)


# --- Confirm and open a check ------------------------------------------------------------------------


@pytest.fixture
def approved_by_control(listings, buyer, control_ops):
    """A listing approved by one internal-control reviewer, and a report about it."""
    product = listings.product()
    catalog_services.product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    catalog_services.product_transition(product=product, action=ProductAction.APPROVE, by=control_ops)
    product = catalog_services.product_transition(
        product=product, action=ProductAction.PUT_ON_SALE, by=listings.user
    )
    Notification.objects.all().delete()  # the onboarding's messages
    # The onboarding's reviewers leave: internal control is the approver and whoever a test adds.
    User.objects.filter(groups__name="internal_control").exclude(pk=control_ops.pk).update(is_active=False)
    return _file(product=product, reporter=buyer)


def test_confirm_and_open_a_check_assigns_a_reviewer_who_did_not_approve_the_listing(
    approved_by_control, control_ops
):
    other = OpsFactory(teams=["internal_control"])
    OpsFactory(teams=["internal_control"], is_active=False)
    OpsFactory(teams=["customer_service"])
    report = approved_by_control
    assert list(check_services.eligible_reviewers(report.product)) == [other]

    services.report_decide(report=report, by=control_ops, action="confirm", reason="属实", open_check=True)

    check = SpotCheck.objects.get()
    assert (check.kind, check.report_id, check.product_id, check.supplier_id, check.category_id) == (
        SpotCheck.Kind.TARGETED,
        report.pk,
        report.product_id,
        report.supplier_id,
        report.product.category_id,
    )
    assert (check.state, check.reviewer_id, check.phase_id, check.inclusion_probability) == (
        CheckState.ASSIGNED,
        other.pk,
        None,
        None,
    )
    report.refresh_from_db()
    assert report.state == ReportState.CONFIRMED
    assert report.events.order_by("id").last().details == {"open_check": "yes"}
    assert Notification.objects.filter(user=other, subject__contains="targeted check").count() == 1
    opened = check.events.get()
    assert (opened.action, opened.from_status, opened.to_status, opened.actor, opened.details) == (
        "open",
        "",
        CheckState.ASSIGNED,
        control_ops,
        {"reviewer": str(other.pk), "report": str(report.pk)},
    )
    assert check.risk_factors == {"report": report.pk}


def test_no_eligible_reviewer_changes_nothing(approved_by_control, control_ops, buyer):
    with pytest.raises(ValidationError) as exc:
        services.report_decide(
            report=approved_by_control, by=control_ops, action="confirm", reason="属实", open_check=True
        )
    assert _refusal(exc) == {
        "open_check": ["No internal-control reviewer who did not approve this listing is available."]
    }
    approved_by_control.refresh_from_db()
    assert (approved_by_control.state, approved_by_control.events.count()) == (ReportState.NEW, 1)
    assert SpotCheck.objects.count() == 0
    assert _notes(buyer) == []


def test_customer_service_confirms_but_does_not_open_checks(filed, service_ops):
    OpsFactory(teams=["internal_control"])
    with pytest.raises(PermissionDenied):
        services.report_decide(report=filed, by=service_ops, action="confirm", reason="属实", open_check=True)
    filed.refresh_from_db()
    assert filed.state == ReportState.NEW
    assert SpotCheck.objects.count() == 0


def test_a_report_about_a_supplier_opens_no_check(listings, control_ops):
    OpsFactory(teams=["internal_control"])
    report = _file(kind="qualification", supplier=listings.supplier)
    with pytest.raises(ValidationError) as exc:
        services.report_decide(
            report=report, by=control_ops, action="confirm", reason="属实", open_check=True
        )
    assert list(_refusal(exc)) == ["open_check"]
    report.refresh_from_db()
    assert report.state == ReportState.NEW
    assert SpotCheck.objects.count() == 0


def test_a_check_is_opened_only_with_a_confirmation(filed, control_ops):
    with pytest.raises(ValidationError):
        services.report_decide(
            report=filed, by=control_ops, action="dismiss", reason="不成立", open_check=True
        )
    assert SpotCheck.objects.count() == 0


def test_confirmed_reports_count_per_listing(listings, service_ops):
    product, other = listings.on_sale(), listings.on_sale(name="恩施玉露 明前")
    for _ in range(2):
        report = _file(product=product)
        services.report_decide(report=report, by=service_ops, action="confirm", reason="属实")
    services.report_decide(report=_file(product=other), by=service_ops, action="dismiss", reason="不成立")
    _file(product=other)  # still waiting
    assert selectors.confirmed_report_counts() == {product.pk: 2}
    assert selectors.confirmed_report_counts(product_ids=[other.pk]) == {}
