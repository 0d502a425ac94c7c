"""What the home pages and the header say about spot checks: the public promise backed by the last
finished nightly sweep, internal control's and customer service's cards on the ops home, the supplier's
link with the count of checks waiting for its answer."""

import datetime
import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product, TestReport
from inspections.models import CheckState, Rectification, Report, SweepRun
from inspections.services import sweep
from tests.factories import OpsFactory
from tests.inspections.check_world import CheckWorld
from tests.inspections.sweep_helpers import judge
from tests.inspections.test_sweep import nightly

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _testid(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page)
    assert match, testid
    return match.group(1).strip()


def _two_listings_one_failing(listings):
    good = listings.on_sale(
        slug="green-tea", name="好茶", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    bad = listings.on_sale(
        slug="green-tea", name="坏茶", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    judge(good)
    judge(bad)
    TestReport.objects.filter(product=bad).delete()
    return good, bad


def test_the_public_promise_says_nothing_before_any_finished_nightly_sweep(client, listings, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _two_listings_one_failing(listings)
    sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)  # running, nothing checked yet
    sweep.check_now(kind="product", pk=Product.objects.first().pk, by=OpsFactory(teams=["internal_control"]))
    page = client.get(reverse("home"), **EN).content.decode()
    assert "every night" in page
    assert 'data-testid="sweep-proof"' not in page and "Last checked" not in page


def test_the_public_promise_cites_the_last_finished_nightly_sweep(client, listings, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _good, bad = _two_listings_one_failing(listings)
    run = nightly()
    sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)  # a later one still running is not cited
    assert list(Product.objects.filter(frozen_at__isnull=False).values_list("pk", flat=True)) == [bad.pk]
    page = client.get(reverse("home"), **EN).content.decode()
    when = run.finished_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert f"Last checked {when}: 2 listings on sale checked, 1 frozen." in page
    assert f'href="{reverse("inspections:public_phases")}"' in page


def _ops_page(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"), **EN)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_internal_control_sees_its_queues_counted_in_constant_queries(client, listings):
    world = CheckWorld(listings)
    world.reviewer.language = "en"
    page, empty_queries = _ops_page(client, world.reviewer)
    assert [_testid(page, f"count-{k}") for k in ("mine", "rectifying", "overdue", "appeals", "phases")] == [
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    assert "No nightly sweep has run yet." in page
    assert 'data-testid="ops-checks-link"' in page and 'data-testid="ops-reports-link"' in page

    other = listings.on_sale(
        slug="green-tea", name="另一茶", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    world.check()  # assigned to me
    late = world.rectify(world.check(other))  # rectifying, then made overdue
    Rectification.objects.filter(check_ref=late).update(deadline=datetime.date(2020, 1, 1))
    world.check(reviewer=world.second, state=CheckState.APPEALED)  # another's decision: mine to decide
    world.check(reviewer=world.reviewer, state=CheckState.APPEALED)  # my own: not mine to decide
    Report.objects.create(kind=Report.Kind.PRICE, supplier=world.supplier, product=other, description="太贵")
    judge(other)
    nightly()
    page, queries = _ops_page(client, world.reviewer)
    assert queries == empty_queries
    assert [_testid(page, f"count-{k}") for k in ("mine", "rectifying", "overdue", "appeals")] == [
        "2",
        "1",
        "1",
        "1",
    ]
    assert _testid(page, "count-reports-new") == "1"
    assert _testid(page, "sweep-checked") == f"{Product.objects.count()} / {Product.objects.count()}"
    for name in ("my_checks", "rectifications", "appeals", "ops_reports", "sweeps", "phases"):
        assert f'href="{reverse(f"inspections:{name}")}"' in page


def test_customer_service_sees_only_the_reports_card(client, listings, service_ops):
    Report.objects.create(kind=Report.Kind.OTHER, supplier=listings.supplier, description="发货慢")
    page, _queries = _ops_page(client, service_ops)
    assert _testid(page, "count-reports-new") == "1"
    assert 'data-testid="spot-checks-card"' not in page and 'data-testid="ops-checks-link"' not in page
    assert 'data-testid="ops-reports-link"' in page


def test_other_ops_teams_pay_no_spot_check_queries(client, db):
    page, _queries = _ops_page(client, OpsFactory(teams=["content_ops"]))
    assert 'data-testid="spot-check-cards"' not in page and 'data-testid="ops-checks-link"' not in page


def test_the_supplier_header_links_its_checks_with_the_count_waiting_for_its_answer(client, listings):
    world = CheckWorld(listings)
    client.force_login(world.user)
    page = client.get(reverse("catalog:my_products"), **EN).content.decode()
    assert (
        f'href="{reverse("inspections:supplier_checks")}"' in page
        and 'data-testid="checks-waiting"' not in page
    )
    world.rectify(world.check())
    world.check()  # assigned, not yet the supplier's to answer
    page = client.get(reverse("catalog:my_products"), **EN).content.decode()
    assert _testid(page, "checks-waiting") == "1"
