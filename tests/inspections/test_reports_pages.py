"""Reports (举报), the pages: the link on the product page, the form and its refusals, the tracking page
(only what the code holder may know), my reports, the ops queue (filters, counts, constant queries),
the decision buttons on the detail page, the private photos and the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification, User
from inspections.models import Report, ReportPhoto, ReportState
from inspections.services import reports as services
from tests.catalog.conftest import jpeg_upload
from tests.factories import BuyerFactory, OpsFactory

pytestmark = pytest.mark.usefixtures("english")

TEXT = "标称5kg实际不足4kg，价格也明显偏高。"
NEW = reverse("inspections:report_new")


def _file(**kwargs) -> Report:
    return services.report_file(**{"kind": "quality", "description": TEXT, **kwargs})


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses


@pytest.fixture
def product(listings):
    return listings.on_sale()


# --- The form ----------------------------------------------------------------------------------------


def test_the_product_page_links_to_the_form_for_visitors_and_buyers_not_suppliers(
    client, product, buyer, listings
):
    page = reverse("catalog:product", args=[product.pk])
    for user in (None, buyer):
        if user:
            client.force_login(user)
        html = client.get(page).content.decode()
        assert f'href="{NEW}?product={product.pk}"' in html
        assert f'href="{NEW}?supplier={product.supplier_id}"' in html
    client.force_login(listings.user)
    assert NEW not in client.get(page).content.decode()


def test_the_form_names_the_listing_and_refuses_what_cannot_be_reported(client, product, listings):
    response = client.get(NEW, {"product": product.pk})
    assert response.status_code == 200
    assert "秭归脐橙 当季现摘" in response.content.decode()
    draft = listings.product(name="未上架的茶")
    assert client.get(NEW, {"product": draft.pk}).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.get(NEW, {"product": "1e99"}).status_code == 404
    client.force_login(listings.user)
    assert client.get(NEW, {"product": product.pk}).status_code == 403


def test_a_visitor_files_and_lands_on_the_tracking_page(client, product):
    response = client.post(
        NEW,
        {
            "product": product.pk,
            "kind": "price",
            "description": TEXT,
            "contact": "13800000000",
            "photos": [jpeg_upload()],
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.code}/"
    assert (report.kind, report.product_id, report.reporter_id, report.contact) == (
        "price",
        product.pk,
        None,
        "13800000000",
    )
    assert report.photos.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert str(report.code) in html and 'data-testid="report-state"' in html


def test_a_bad_report_is_shown_again_with_its_message_and_nothing_saved(client, product):
    response = client.post(NEW, {"product": product.pk, "kind": "quality", "description": "太贵"})
    assert response.status_code == 200
    assert "Describe what is wrong in at least 8 characters" in response.content.decode()
    assert Report.objects.count() == 0


def test_beyond_the_hourly_limit_the_form_says_so(client, product, settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "REPORTS_PER_HOUR": 1}
    data = {"product": product.pk, "kind": "quality", "description": TEXT}
    assert client.post(NEW, data).status_code == 302
    response = client.post(NEW, data)
    assert response.status_code == 429
    assert "You have filed the most reports allowed in an hour" in response.content.decode()
    assert Report.objects.count() == 1
    # Another client address still may.
    assert client.post(NEW, data, REMOTE_ADDR="10.1.2.3").status_code == 302


# --- Following a report ------------------------------------------------------------------------------


def test_the_tracking_page_shows_the_state_and_decision_not_the_people(client, product, buyer, service_ops):
    report = _file(product=product, reporter=buyer)
    services.report_decide(report=report, by=service_ops, action="confirm", reason="实测净重4.1kg。")
    html = client.get(reverse("inspections:report_track", args=[report.code])).content.decode()
    assert "Confirmed" in html and "实测净重4.1kg。" in html
    for secret in (service_ops.username, service_ops.display_name, buyer.username, buyer.display_name):
        assert secret not in html
    anonymous = _file(product=product, contact="secret@example.com")
    html = client.get(reverse("inspections:report_track", args=[anonymous.code])).content.decode()
    assert "secret@example.com" not in html
    assert client.get("/reports/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_my_reports_lists_mine_only(client, product, buyer):
    mine = _file(product=product, reporter=buyer)
    other_buyer = BuyerFactory()
    theirs = _file(product=product, reporter=other_buyer, description="另一位采购人的举报内容。")
    client.force_login(buyer)
    html = client.get(reverse("inspections:my_reports")).content.decode()
    assert str(mine.code) in html and str(theirs.code) not in html
    client.force_login(other_buyer)
    html = client.get(reverse("inspections:my_reports")).content.decode()
    assert str(theirs.code) in html and str(mine.code) not in html


# --- The ops queue -----------------------------------------------------------------------------------

QUEUE = reverse("inspections:ops_reports")


def test_who_sees_the_queue(client, product, service_ops, control_ops, listings, buyer):
    report = _file(product=product, photos=[jpeg_upload()])
    photo = report.photos.get()
    pages = [
        QUEUE,
        reverse("inspections:ops_report", args=[report.pk]),
        reverse("inspections:ops_report_photo", args=[report.pk, photo.pk]),
    ]
    for user, code in ((service_ops, 200), (control_ops, 200), (OpsFactory(teams=["content_ops"]), 403)):
        client.force_login(user)
        assert [client.get(url).status_code for url in pages] == [code] * 3, user
    # A supplier sees nothing of the reports about it, a buyer nothing of anyone's.
    for user in (listings.user, buyer):
        client.force_login(user)
        assert [client.get(url).status_code for url in pages] == [403] * 3


def test_the_photo_comes_through_the_private_response(client, product, service_ops):
    report = _file(product=product, photos=[jpeg_upload()])
    other = _file(product=product)
    photo = report.photos.get()
    client.force_login(service_ops)
    response = client.get(reverse("inspections:ops_report_photo", args=[report.pk, photo.pk]))
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(reverse("inspections:ops_report_photo", args=[other.pk, photo.pk])).status_code == 404


def test_the_queue_puts_the_oldest_waiting_first_filters_and_counts(client, product, service_ops, listings):
    first = _file(product=product, kind="price")
    second = _file(supplier=listings.supplier, kind="qualification")
    done = _file(product=product)
    services.report_decide(report=done, by=service_ops, action="dismiss", reason="不成立")
    services.report_decide(report=second, by=service_ops, action="triage")
    client.force_login(service_ops)

    response = client.get(QUEUE)
    assert [r.pk for r in response.context["page"].object_list] == [first.pk, second.pk]
    assert [(value, n) for value, _label, n in response.context["counts"]] == [
        ("new", 1),
        ("triaged", 1),
        ("confirmed", 0),
        ("dismissed", 1),
    ]
    assert [r.pk for r in client.get(QUEUE, {"state": ""}).context["page"].object_list] == [
        first.pk,
        second.pk,
        done.pk,
    ]
    assert [r.pk for r in client.get(QUEUE, {"state": "dismissed"}).context["page"].object_list] == [done.pk]
    assert [r.pk for r in client.get(QUEUE, {"kind": "qualification"}).context["page"].object_list] == [
        second.pk
    ]


def test_the_queue_reads_a_constant_number_of_queries(
    client, product, service_ops, listings, django_assert_num_queries
):
    client.force_login(service_ops)
    _file(product=product, photos=[jpeg_upload()])
    client.get(QUEUE)  # warm the session and permission caches of the request
    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    for _ in range(4):
        report = _file(supplier=listings.supplier, photos=[jpeg_upload()])
        services.report_decide(report=report, by=OpsFactory(teams=["customer_service"]), action="triage")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["page"].object_list) == 5


# --- Deciding on the detail page ---------------------------------------------------------------------


def test_the_decision_buttons_are_on_the_page_and_work(client, product, buyer, service_ops):
    report = _file(product=product, reporter=buyer)
    page = reverse("inspections:ops_report", args=[report.pk])
    decide = reverse("inspections:ops_report_decide", args=[report.pk])
    client.force_login(service_ops)
    html = client.get(page).content.decode()
    assert (
        'data-testid="triage"' in html and 'data-testid="confirm"' in html and 'data-testid="dismiss"' in html
    )
    assert 'name="open_check"' not in html  # customer service does not open checks

    response = client.post(decide, {"action": "confirm", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason: the reporter will read it." in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.NEW

    assert client.post(decide, {"action": "triage"}).status_code == 302
    assert client.post(decide, {"action": "confirm", "reason": "属实"}).status_code == 302
    report.refresh_from_db()
    assert (report.state, report.decision_note, report.handled_by_id) == (
        ReportState.CONFIRMED,
        "属实",
        service_ops.pk,
    )
    html = client.get(page).content.decode()
    assert 'data-testid="confirm"' not in html and "This report is decided." in html


def test_internal_control_confirms_and_opens_a_check_from_the_page(client, product, control_ops):
    User.objects.filter(groups__name="internal_control").exclude(pk=control_ops.pk).update(is_active=False)
    reviewer = OpsFactory(teams=["internal_control"])
    report = _file(product=product)
    client.force_login(control_ops)
    assert (
        'name="open_check"'
        in client.get(reverse("inspections:ops_report", args=[report.pk])).content.decode()
    )
    response = client.post(
        reverse("inspections:ops_report_decide", args=[report.pk]),
        {"action": "confirm", "reason": "属实", "open_check": "on"},
    )
    assert response.status_code == 302
    check = report.checks.get()
    assert check.reviewer_id in {control_ops.pk, reviewer.pk}  # neither approved the listing
    assert (check.kind, check.product_id) == ("targeted", product.pk)
    assert f"#{check.pk}" in client.get(reverse("inspections:ops_report", args=[report.pk])).content.decode()


def test_the_supplier_learns_only_of_a_confirmation(product, buyer, service_ops, listings):
    Notification.objects.all().delete()
    dismissed = _file(product=product, reporter=buyer)
    services.report_decide(report=dismissed, by=service_ops, action="dismiss", reason="不成立")
    assert Notification.objects.filter(user=listings.user).count() == 0
    confirmed = _file(product=product, reporter=buyer, contact="x")
    services.report_decide(report=confirmed, by=service_ops, action="confirm", reason="属实")
    (note,) = Notification.objects.filter(user=listings.user)
    assert buyer.display_name not in note.subject + note.body


# --- The admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_reports_and_confirms_with_a_reason(client, product, service_ops):
    report = _file(product=product, photos=[jpeg_upload()])
    client.force_login(service_ops)
    changelist = reverse("admin:inspections_report_changelist")
    assert client.get(changelist, {"state__exact": "new"}).status_code == 200
    change = client.get(reverse("admin:inspections_report_change", args=[report.pk])).content.decode()
    photo = ReportPhoto.objects.get()
    assert reverse("inspections:ops_report_photo", args=[report.pk, photo.pk]) in change
    asked = client.post(changelist, {"action": "report_confirm", "_selected_action": [report.pk]})
    assert asked.status_code == 200  # the page asking for the reason
    report.refresh_from_db()
    assert report.state == ReportState.NEW
    client.post(
        changelist,
        {"action": "report_confirm", "_selected_action": [report.pk], "confirm": "1", "reason": "属实"},
    )
    report.refresh_from_db()
    assert (report.state, report.decision_note) == (ReportState.CONFIRMED, "属实")
