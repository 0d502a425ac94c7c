"""The price check in a real browser.

A buyer opens a product page and sees each SKU's verdict with the explanation and its numbers, the
supplier's comparison link (with its price and date, never the screenshot) and the category's
price index chart. The supplier opens the SKU's price page from its product page, adds a
comparison link with the wrong shop, reads the error on the link's field, fixes it and sees the
link listed.

The market is made through the services: six oranges of another supplier listed four months ago
and re-priced two months ago (the index has something to chain), the product under test on sale
at ¥4.99/500 g, and a fresh JD reference at ¥4.40/500 g — 1.13×, so "high". Elements are found by
id, name, data-testid and CSS class; visible text is only checked for data the test typed and for
numbers, so the test holds in either language."""

import datetime
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from catalog import services as catalog_services
from pricing import services
from pricing.models import PriceEvidence, PriceIndexPoint, PriceVerdict, Shop, Verdict
from pricing.published_index import build_index
from pricing.verdicts import refresh_verdicts
from tests.browser.journeys import log_in
from tests.catalog.conftest import Listings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
NAME = "秭归脐橙 高山果园"
JD_URL = "https://item.jd.com/100012345678.html"
# 5 kg boxes: first listed at these prices, then re-priced to the second (¥4.20 … ¥5.00/500 g).
PEERS = [
    ("38.00", "42.00"),
    ("40.00", "44.00"),
    ("41.00", "45.00"),
    ("43.00", "46.00"),
    ("45.00", "48.00"),
    ("46.00", "50.00"),
]


@pytest.fixture(autouse=True)
def _shops():
    """The recognised shops come with a data migration, which a transactional test's flush empties."""
    shops = importlib.import_module("pricing.migrations.0002_shops").SHOPS
    for code, name, hosts in shops:
        Shop.objects.get_or_create(code=code, defaults={"name": name, "hosts": hosts})


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _png(path: Path, colour) -> str:
    Image.new("RGB", (900, 640), colour).save(path, "PNG")
    return str(path)


def _market(tmp_path):
    today = timezone.localdate()
    listed, repriced = today - datetime.timedelta(days=120), today - datetime.timedelta(days=60)
    with time_machine.travel(_at(listed), tick=False):
        listings = Listings()
        peer_supplier, peer_user = listings.active_supplier()
        peers = [
            listings.on_sale(
                supplier=peer_supplier, user=peer_user, name=f"脐橙 同行{n}", skus=[listings.sku(price=first)]
            )
            for n, (first, _now) in enumerate(PEERS)
        ]
    with time_machine.travel(_at(repriced), tick=False):
        for product, (_first, now) in zip(peers, PEERS, strict=True):
            catalog_services.sku_update(sku=product.skus.get(), by=peer_user, price=Decimal(now))
    oranges = listings.on_sale(name=NAME, skus=[listings.sku()])  # 5 kg at ¥49.90: ¥4.99/500 g
    sku = oranges.skus.get()
    with open(_png(tmp_path / "jd.png", (230, 40, 40)), "rb") as shot:
        jd = services.evidence_add(
            sku=sku,
            by=listings.user,
            url=JD_URL,
            match="same",
            observed_price=Decimal("22.00"),
            spec="5斤装",
            net_quantity=Decimal("2.5"),
            unit="kg",
            pack_count=1,
            seen_on=today - datetime.timedelta(days=3),
            screenshot=SimpleUploadedFile("jd.png", shot.read(), content_type="image/png"),
        )
    refresh_verdicts([sku.pk, *(p.skus.get().pk for p in peers)])
    build_index()
    return listings, oranges, sku, jd


def test_a_buyer_reads_the_price_check_and_a_supplier_adds_a_comparison(page, live_server, tmp_path):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    listings, oranges, sku, jd = _market(tmp_path)
    verdict = PriceVerdict.objects.get(sku=sku)
    assert (verdict.verdict, verdict.unit_price, verdict.reference_unit_price) == (
        Verdict.HIGH,
        Decimal("4.99"),
        Decimal("4.40"),
    )
    assert (verdict.peer_count, verdict.peer_median) == (7, Decimal("4.60"))  # six peers and itself
    assert PriceIndexPoint.objects.filter(
        category=oranges.category, published=True, link__isnull=False
    ).exists()

    # 1. A visitor (the catalogue is public) opens the product page ---------------------------------------
    page.goto(f"{base}/catalog/p/{oranges.pk}/")
    expect(page.get_by_test_id("product-name")).to_have_text(NAME)
    badge = page.get_by_test_id(f"verdict-{sku.pk}")
    expect(badge).to_have_class(re.compile(r"\bverdict-high\b"))
    explanation = page.get_by_test_id(f"verdict-explanation-{sku.pk}")
    expect(explanation).to_be_hidden()  # folded under the badge until asked for
    badge.click()
    expect(explanation).to_be_visible()
    for number in ("¥4.99", "1.08×", "¥4.60", "1.13×", "¥4.40"):
        expect(explanation).to_contain_text(number)

    comparison = page.get_by_test_id(f"comparison-{jd.pk}")
    expect(comparison).to_contain_text("¥22.00")
    expect(comparison).to_contain_text("¥4.40")
    expect(comparison).to_contain_text(jd.seen_on.isoformat())
    link = comparison.locator(f'a[href="{JD_URL}"]')
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator('a[href*="/pricing/evidence/"]')).to_have_count(0)  # screenshots stay private

    chart = page.get_by_test_id("price-index").locator("svg")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "buyer_product_page.png"), full_page=True)

    # 2. The supplier adds a comparison link from the SKU's price page ------------------------------------
    log_in(page, base, listings.user.username)
    page.goto(f"{base}/suppliers/products/{oranges.pk}/")
    expect(page.get_by_test_id(f"verdict-{sku.pk}")).to_have_class(re.compile(r"\bverdict-high\b"))
    page.get_by_test_id(f"sku-prices-{sku.pk}").click()
    prices_url = f"{base}/suppliers/products/{oranges.pk}/skus/{sku.pk}/prices/"
    expect(page).to_have_url(prices_url)
    expect(page.get_by_test_id("verdict")).to_have_class(re.compile(r"\bverdict-high\b"))
    expect(page.get_by_test_id("verdict-explanation")).to_contain_text("1.13×")
    expect(page.get_by_test_id("verdict-meta")).to_contain_text(verdict.model_version)
    expect(page.get_by_test_id(f"evidence-{jd.pk}")).to_contain_text("¥22.00")

    before = PriceEvidence.objects.count()
    form = page.get_by_test_id("evidence-form")
    form.locator("#id_url").fill("https://shop.example.cn/item/8848")
    form.locator("input[name=match][value=same]").check()
    form.locator("#id_observed_price").fill("23.50")
    form.locator("#id_spec").fill("5斤 精品果")
    form.locator("#id_net_quantity").fill("2.5")
    form.locator("#id_unit").select_option("kg")
    form.locator("#id_pack_count").fill("1")
    form.locator("#id_seen_on").fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    form.locator("#id_screenshot").set_input_files(_png(tmp_path / "tmall.png", (250, 120, 0)))
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(prices_url)
    errors = form.locator(".field-error")
    expect(errors).to_have_count(1)
    expect(form.locator(".field.has-error:has(#id_url) .field-error")).to_contain_text("shop.example.cn")
    assert PriceEvidence.objects.count() == before
    expect(form.locator("#id_spec")).to_have_value("5斤 精品果")  # what was typed is kept
    expect(form.locator("#id_observed_price")).to_have_value("23.50")
    expect(form.locator("input[name=match][value=same]")).to_be_checked()

    form.locator("#id_url").fill("https://detail.tmall.com/item.htm?id=62626")
    form.locator("#id_screenshot").set_input_files(str(tmp_path / "tmall.png"))  # a file is chosen again
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(prices_url)
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(form.locator(".field-error")).to_have_count(0)
    added = PriceEvidence.objects.get(shop__code="tmall")
    assert (added.sku, added.observed_unit_price, added.spec) == (sku, Decimal("4.70"), "5斤 精品果")
    row = page.get_by_test_id(f"evidence-{added.pk}")
    expect(row).to_contain_text("天猫")
    expect(row).to_contain_text("¥23.50")
    expect(row).to_contain_text("¥4.70")
    expect(row.locator(f'a[href="/pricing/evidence/{added.pk}/screenshot/"]')).to_have_count(1)
    expect(row.locator('a[href="https://detail.tmall.com/item.htm?id=62626"]')).to_have_attribute(
        "rel", "noopener noreferrer nofollow"
    )
    # The re-judgement ran after the commit (tasks run eagerly here): the verdict is up to date, and
    # the lowest fresh reference (JD, ¥4.40) still judges it.
    expect(page.get_by_test_id("recomputing")).to_have_count(0)
    expect(page.get_by_test_id("verdict")).to_have_class(re.compile(r"\bverdict-high\b"))
    page.screenshot(path=str(SHOTS / "supplier_sku_prices.png"), full_page=True)
