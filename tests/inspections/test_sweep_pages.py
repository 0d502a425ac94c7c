"""The sweep's ops page and buttons, and what the supplier sees of it in its portal."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from catalog.models import Category, Product, TestReport
from inspections.items import describe
from inspections.models import SweepRun
from inspections.services import sweep
from tests.factories import OpsFactory
from tests.inspections.sweep_helpers import judge
from tests.inspections.test_sweep import clone, nightly

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def internal():
    user = OpsFactory(teams=["internal_control"])
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_the_ops_page_shows_runs_progress_and_trend_in_constant_queries(
    client, listings, django_assert_num_queries
):
    tea = listings.on_sale(slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")])
    judge(tea)
    TestReport.objects.filter(product=tea).delete()
    nightly()
    client.force_login(internal())
    url = reverse("inspections:sweeps")
    with CaptureQueriesContext(connection) as one:
        response = client.get(url, **EN)
    assert response.status_code == 200
    page = response.content.decode()
    missing = describe("listing.test_report_missing")  # the trend names each finding in words
    assert "1 / 1" in page and escape(missing) in page and tea.category.name in page
    assert 'hx-trigger="every 3s"' not in page  # nothing running
    nightly()
    sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)  # running, not yet checked
    with CaptureQueriesContext(connection) as three:
        response = client.get(url, **EN)
    page = response.content.decode()
    assert len(three) == len(one)
    assert "0 / 1" in page and 'hx-trigger="every 3s"' in page
    partial = client.get(reverse("inspections:sweep_progress"), **EN).content.decode()
    assert partial.startswith('<div id="sweep-runs"') and "0 / 1" in partial


def test_the_ops_page_needs_the_spot_check_permission(client, db):
    client.force_login(OpsFactory(teams=["data_ops"]))
    assert client.get(reverse("inspections:sweeps")).status_code == 403
    assert client.post(reverse("inspections:sweep_start")).status_code == 403
    assert not SweepRun.objects.exists()


def test_start_and_check_now_buttons(client, listings, settings):
    product = listings.on_sale()
    client.force_login(internal())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("inspections:sweep_start"), **EN)
    assert response.status_code == 302
    run = SweepRun.objects.get()
    assert (run.trigger, run.total, run.batch_count) == ("nightly", 1, 1)

    client.post(reverse("inspections:check_now"), {"kind": "product", "id": str(product.pk)}, **EN)
    run = SweepRun.objects.filter(trigger="on_demand").get()
    assert run.scope == {"products": [product.pk]}

    response = client.post(
        reverse("inspections:check_now"), {"kind": "product", "id": "abc"}, follow=True, **EN
    )
    assert "Enter a whole number" in response.content.decode()
    response = client.post(reverse("inspections:check_now"), {"kind": "order", "id": "1"}, follow=True, **EN)
    assert "Choose a listing, a supplier or a category." in response.content.decode()
    assert SweepRun.objects.count() == 2


def test_the_supplier_sees_the_standing_its_findings_and_why_it_is_frozen(client, listings):
    tea = listings.on_sale(slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")])
    judge(tea)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_login(listings.user)
    url = reverse("catalog:my_product", args=[tea.pk])
    assert "Not checked yet" in client.get(url, **EN).content.decode()
    TestReport.objects.filter(product=tea).delete()
    nightly()
    tea.refresh_from_db()
    listings.user.language = "en"
    listings.user.save(update_fields=["language"])
    page = client.get(url, **EN).content.decode()
    assert 'data-testid="standing-frozen-reason"' in page
    assert tea.frozen_reason.replace("\n", "<br>") in page  # written in Chinese when frozen
    assert f"The category {tea.category.name} requires a passed test report; none is on file." in page
    assert "Upload a passed test report from an accredited laboratory." in page


def test_the_supplier_list_marks_frozen_listings_in_constant_queries(client, listings):
    citrus = listings.on_sale()
    judge(citrus)
    client.force_login(listings.user)
    url = reverse("catalog:my_products")
    nightly()
    with CaptureQueriesContext(connection) as one:
        page = client.get(url, **EN).content.decode()
    assert "standing-frozen" not in page
    copies = clone(citrus, 2)
    Product.objects.filter(pk=copies[0].pk).update(description="")  # a major finding: to fix
    Category.objects.filter(pk=citrus.category_id).update(requires_test_report=True)  # blocking for all
    nightly()
    with CaptureQueriesContext(connection) as three:
        page = client.get(url, **EN).content.decode()
    assert page.count('data-testid="standing-frozen"') == 3
    assert len(three) == len(one)
