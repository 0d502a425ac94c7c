"""The ops price review queue in the admin: flagged prices, farthest off first, decided with a note."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import ProductStatus
from pricing import services
from pricing.models import PriceReview, PriceVerdict, ReviewState, Verdict
from pricing.verdicts import refresh_all_verdicts
from tests.factories import OpsFactory, SupplierUserFactory
from tests.pricing.test_verdicts import Market

pytestmark = pytest.mark.django_db
URL = "/admin/pricing/priceverdict/"


@pytest.fixture
def queue(db):
    market = Market()
    market.peer_products([4.8, 5.0, 5.1, 5.2, 5.4, 5.0, 4.9])
    far, _ = market.subject(price="150.00", on_sale=True, name="脐橙 天价")  # ¥15.00/500 g
    near, _ = market.subject(price="80.00", on_sale=True, name="脐橙 偏贵")  # ¥8.00/500 g
    cheap, _ = market.subject(price="12.00", on_sale=True, name="脐橙 超低")  # ¥1.20/500 g
    refresh_all_verdicts()
    market.far, market.near, market.cheap = far, near, cheap
    market.price_ops = OpsFactory(teams=["internal_control"])
    return market


def _post(client, action, products, **extra):
    ids = [p.skus.get().pk for p in products]
    return client.post(URL, {"action": action, "_selected_action": ids, **extra}, follow=True)


def test_the_queue_shows_flagged_prices_farthest_off_first_with_the_rules(client, queue):
    client.force_login(queue.price_ops)
    page = client.get(URL)
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    # ¥1.20 is 4.2× below the median of ¥5.05, ¥15.00 is 3.0× above it, ¥8.00 1.6× above it
    assert [r.sku.product.name for r in rows] == ["脐橙 超低", "脐橙 天价", "脐橙 偏贵"]
    assert [r.verdict for r in rows] == [Verdict.LOW, Verdict.VERY_HIGH, Verdict.VERY_HIGH]
    html = page.content.decode()
    assert 'data-testid="model-params"' in html and "3.5" in html
    assert "¥15.00/500" in html  # the explanation's numbers are in the row


def test_the_queue_is_a_constant_number_of_queries(client, queue, django_assert_max_num_queries):
    client.force_login(queue.price_ops)
    client.get(URL)
    with django_assert_max_num_queries(12):
        client.get(URL + "?queue=all")
    queue.peer_products([5.0] * 12)
    refresh_all_verdicts()
    with django_assert_max_num_queries(12):
        client.get(URL + "?queue=all")


def test_accept_with_a_note_leaves_the_queue(client, queue):
    client.force_login(queue.price_ops)
    page = _post(client, "accept", [queue.near])
    assert page.templates[0].name == "admin/action_reason.html"
    page = _post(client, "accept", [queue.near], confirm="1", reason="")
    assert page.context["form"].errors and not PriceReview.objects.exists()
    _post(client, "accept", [queue.near], confirm="1", reason="富硒认证产品，溢价合理")
    verdict = PriceVerdict.objects.get(sku__product=queue.near)
    assert verdict.review_state == ReviewState.ACCEPTED
    names = [r.sku.product.name for r in client.get(URL).context["cl"].result_list]
    assert names == ["脐橙 超低", "脐橙 天价"]
    accepted = client.get(URL + "?queue=accepted").context["cl"].result_list
    assert [r.sku.product.name for r in accepted] == ["脐橙 偏贵"]


def test_adjust_and_delist_from_the_queue(client, queue):
    client.force_login(queue.price_ops)
    _post(client, "adjust", [queue.cheap], confirm="1", reason="请核对净含量")
    assert PriceVerdict.objects.get(sku__product=queue.cheap).review_state == ReviewState.ADJUST
    assert queue.user.notifications.filter(body__contains="请核对净含量").exists()
    _post(client, "delist", [queue.far], confirm="1", reason="价格明显虚高")
    queue.far.refresh_from_db()
    assert queue.far.status == ProductStatus.DELISTED
    assert PriceReview.objects.filter(action="delist", note="价格明显虚高").count() == 1


def test_an_adjust_request_is_written_in_each_readers_language(queue):
    # given: two people of the supplier, one reading Chinese (the default), one English
    english = SupplierUserFactory(supplier=queue.supplier, language="en")
    sku = queue.cheap.skus.get()
    # when: ops ask for the price to be adjusted
    services.price_review(sku=sku, by=queue.price_ops, action="adjust", note="请核对净含量")
    # then: each reads the subject and the explanation in their own language, with the same link
    link = reverse("pricing:sku_prices", args=[queue.cheap.pk, sku.pk])
    chinese = queue.user.notifications.get(link=link)
    assert chinese.subject.startswith("请调整“脐橙 超低”")
    assert "请核对净含量" in chinese.body and "可比商品中位数" in chinese.body
    mail = english.notifications.get(link=link)
    assert mail.subject.startswith("Please adjust the price of “脐橙 超低”")
    assert "请核对净含量" in mail.body and "comparable listings in" in mail.body
    # and the review keeps the explanation in the site's language
    assert "可比商品中位数" in PriceReview.objects.get(sku=sku).explanation


def test_the_detail_page_shows_evidence_peers_and_numbers(client, queue):
    client.force_login(queue.price_ops)
    sku = queue.far.skus.get()
    page = client.get(f"{URL}{sku.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "脐橙 同行" in html and "peer_outlier" in html


def test_teams_without_the_permission_cannot_act(client, queue):
    client.force_login(OpsFactory(teams=["demand_management"]))
    assert client.get(URL).status_code == 403
    data_ops = OpsFactory(teams=["data_ops"])
    client.force_login(data_ops)
    assert client.get(URL).status_code == 200
    _post(client, "accept", [queue.near], confirm="1", reason="x")
    assert not PriceReview.objects.exists()
    assert PriceVerdict.objects.get(sku__product=queue.near).unit_price == Decimal("8.00")
