"""The listing journey in a real browser: a supplier creates a product with two SKUs, an image and a
test report; ops approve it in the admin; the supplier puts it on sale; a buyer finds it by a
two-character Chinese search and opens its page. And a suspended supplier's product disappears from
search and from its page. Elements are found by id, name, value, URL, CSS class and data-testid;
visible text is only checked for data the test typed and for numbers, so the tests hold in either
language and while translations change."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from catalog.models import Category, Product, ProductStatus
from catalog.models import TestReport as Report
from catalog.services import product_transition
from catalog.workflow import ProductAction
from suppliers import services as supplier_services
from suppliers.models import SupplierStatus
from suppliers.workflow import Action
from tests.browser.journeys import log_in, log_out
from tests.catalog.conftest import Listings
from tests.factories import BuyerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "恩施玉露 富硒绿茶"
QUERY = "玉露"  # two characters found in no other product's name
LAB = "湖北省农产品质量安全检测中心"
REPORT_NUMBER = "HB-2026-0417"
ERROR_OR_WARNING = re.compile(r"\b(error|warning)\b")
LOADED = "img => img.decode().then(() => img.naturalWidth)"  # rejects, so fails, if the image is broken


def _image_file(path, fmt, colour, size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _search(page, base_url, query):
    """Type into the search box of the buyer's home page and submit it."""
    page.goto(f"{base_url}/")
    box = page.get_by_test_id("search-input")
    box.fill(query)
    page.locator("form[role=search]:has([data-testid=search-input]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/catalog/\?q="))
    expect(box).to_have_value(query)


def _fill_sku(page, row, *, spec, qty, unit, price, stock, packs=1):
    page.locator(f"[name=sku-{row}-spec]").fill(spec)
    page.locator(f"[name=sku-{row}-net_quantity]").fill(qty)
    page.locator(f"[name=sku-{row}-unit]").select_option(unit)
    page.locator(f"[name=sku-{row}-pack_count]").fill(str(packs))
    page.locator(f"[name=sku-{row}-price]").fill(price)
    page.locator(f"[name=sku-{row}-stock]").fill(str(stock))


def test_a_product_goes_from_the_suppliers_form_to_a_buyers_search(page, live_server, tmp_path):
    base = live_server.url
    listings = Listings()
    buyer = BuyerFactory()
    green_tea = Category.objects.get(slug="green-tea")
    # Two other on-sale products: one shares the category and "绿茶", one has both characters of the
    # query, but not next to each other.
    listings.on_sale(
        name="巴东富硒绿茶 明前特级",
        slug="green-tea",
        report=True,
        skus=[listings.sku("250g/罐", "250", "g", "88.00")],
    )
    listings.on_sale(name="高山露水玉米 鲜食", slug="highland-veg")
    before = Product.objects.count()

    # 1. The supplier fills the product form: a zero price is refused in its own row ------------------
    log_in(page, base, listings.user.username)
    page.goto(f"{base}/suppliers/products/")
    page.locator('main a[href="/suppliers/products/new/"]').click()
    expect(page).to_have_url(f"{base}/suppliers/products/new/")

    tea_option = page.locator("#id_category option", has_text="绿茶")
    expect(tea_option).to_have_count(1)
    assert tea_option.get_attribute("value") == str(green_tea.pk)
    page.locator("#id_category").select_option(str(green_tea.pk))
    page.locator("#id_name").fill(NAME)
    page.locator("#id_brand").fill("硒谷")
    page.locator("#id_description").fill("恩施蒸青绿茶，条索紧细挺直，色泽鲜绿。")
    page.locator("#id_shelf_life_days").fill("540")
    page.locator("#id_storage").select_option("cool")

    # A new product offers two SKU rows (one required, one extra).
    expect(page.locator("[name=sku-TOTAL_FORMS]")).to_have_value("2")
    skus_form = page.get_by_test_id("sku-formset")
    expect(skus_form.locator("[name$=-spec]")).to_have_count(2)
    _fill_sku(page, 0, spec="250g/罐", qty="250", unit="g", price="98.00", stock=100)
    _fill_sku(page, 1, spec="100g×3袋", qty="100", unit="g", packs=3, price="0", stock=50)
    page.locator("main form:has(#id_name) button[type=submit]").click()

    expect(page).to_have_url(f"{base}/suppliers/products/new/")
    errors = skus_form.locator(".field-error")
    expect(errors).to_have_count(1)
    expect(skus_form.locator("td.has-error:has([name=sku-1-price]) .field-error")).to_be_visible()
    expect(page.locator("main .field-error")).to_have_count(1)  # nothing wrong with the product itself
    assert Product.objects.count() == before
    # What was typed is kept.
    expect(page.locator("#id_name")).to_have_value(NAME)
    expect(page.locator("#id_category")).to_have_value(str(green_tea.pk))
    expect(page.locator("[name=sku-0-spec]")).to_have_value("250g/罐")
    expect(page.locator("[name=sku-1-spec]")).to_have_value("100g×3袋")
    expect(page.locator("[name=sku-1-pack_count]")).to_have_value("3")

    page.locator("[name=sku-1-price]").fill("96.00")
    page.locator("main form:has(#id_name) button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/suppliers/products/\d+/$"))
    expect(page.locator("ul.messages li.success")).to_be_visible()
    assert Product.objects.count() == before + 1
    product = Product.objects.get(name=NAME)
    assert page.url == f"{base}/suppliers/products/{product.pk}/"
    assert product.supplier == listings.supplier and product.status == ProductStatus.DRAFT
    assert product.category == green_tea and product.storage == "cool" and product.shelf_life_days == 540
    assert [
        (s.spec, str(s.price), s.pack_count, str(s.unit_price), s.stock)
        for s in product.skus.order_by("position")
    ] == [
        ("250g/罐", "98.00", 1, "196.00", 100),
        ("100g×3袋", "96.00", 3, "160.00", 50),
    ]

    # 2. Image and test report on the product's page, then submission ------------------------------------
    status = page.get_by_test_id("product-status")
    expect(status).to_have_class(re.compile(r"\bpstatus-draft\b"))
    missing = page.locator("[data-testid=precheck] li.missing")
    expect(missing).to_have_count(2)  # no main image, no passed test report

    image_form = page.locator('main form[action$="/add/image/"]')
    image_form.locator("#id_image").set_input_files(_image_file(tmp_path / "yulu.jpg", "JPEG", (70, 140, 60)))
    image_form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base}/suppliers/products/{product.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(missing).to_have_count(1)
    thumbnail = page.locator("main .thumbs img")
    expect(thumbnail).to_have_count(1)
    assert thumbnail.evaluate(LOADED) > 0

    report_date = timezone.localdate() - datetime.timedelta(days=12)
    report_form = page.locator('main form[action$="/add/report/"]')
    report_form.locator("#id_lab").fill(LAB)
    report_form.locator("#id_report_number").fill(REPORT_NUMBER)
    report_form.locator("#id_report_date").fill(report_date.isoformat())
    report_form.locator("#id_result").select_option("pass")
    report_form.locator("#id_file").set_input_files(
        _image_file(tmp_path / "report.png", "PNG", (250, 250, 250))
    )
    report_form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base}/suppliers/products/{product.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()

    precheck = page.get_by_test_id("precheck")
    expect(precheck).to_contain_text("✓")
    expect(precheck.locator("li.missing")).to_have_count(0)
    report = product.test_reports.get()
    assert (report.lab, report.report_number, report.report_date, report.result) == (
        LAB,
        REPORT_NUMBER,
        report_date,
        Report.Result.PASS,
    )
    assert product.images.get().is_main

    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(f"{base}/suppliers/products/{product.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(status).to_have_class(re.compile(r"\bpstatus-submitted\b"))
    expect(page.locator("button[name=action][value=submit]")).to_have_count(0)
    expect(page.locator('main a[href$="/edit/"]')).to_have_count(0)  # under review: no editing
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED

    # 3. Ops approve it from the review queue -------------------------------------------------------------
    log_out(page)
    log_in(page, base, listings.ops.username)
    queue = f"{base}/admin/catalog/product/?status__exact=submitted"
    page.goto(queue)
    selector = page.locator(f'input[name=_selected_action][value="{product.pk}"]')
    expect(page.locator("#result_list input[name=_selected_action]")).to_have_count(1)
    row = page.locator("#result_list tbody tr", has=selector)
    checkbox = row.locator("input[name=_selected_action]")
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("✓")  # the pre-check column
    checkbox.check()
    page.locator("select[name=action]").select_option("do_approve")
    page.locator("#changelist-form .actions button[name=index]").click()

    expect(page).to_have_url(queue)  # approval needs no reason: no intermediate page
    done = page.locator("ul.messagelist li")
    expect(done).to_have_count(1)
    expect(done).not_to_have_class(ERROR_OR_WARNING)
    # Its count is wrong from a filtered queue ("0 products"): see test_approving_from_the_queue_counts_...
    expect(checkbox).to_have_count(0)  # it left the queue
    product.refresh_from_db()
    assert product.status == ProductStatus.APPROVED
    assert not product.is_visible

    # 4. The supplier puts it on sale -----------------------------------------------------------------------
    log_out(page)
    log_in(page, base, listings.user.username)
    page.goto(f"{base}/suppliers/products/{product.pk}/")
    expect(status).to_have_class(re.compile(r"\bpstatus-approved\b"))
    page.locator("button[name=action][value=put_on_sale]").click()
    expect(page).to_have_url(f"{base}/suppliers/products/{product.pk}/")
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(status).to_have_class(re.compile(r"\bpstatus-on_sale\b"))
    expect(page.locator(f'main a[href="/catalog/p/{product.pk}/"]')).to_be_visible()  # view as a buyer
    product.refresh_from_db()
    assert product.status == ProductStatus.ON_SALE and product.is_visible

    # 5. A buyer finds it with two characters and opens it --------------------------------------------------
    log_out(page)
    log_in(page, base, buyer.username)
    _search(page, base, QUERY)
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(1)
    expect(cards.first.locator("h3")).to_have_text(NAME)
    expect(cards.first.locator(".price")).to_contain_text("¥96.00")  # the lowest price
    expect(cards.first.locator(".unit-price")).to_contain_text("¥160.00")  # the lowest unit price
    expect(page.get_by_test_id("result-count")).to_contain_text(re.compile(r"(?<![\d.,])1(?![\d.,])"))
    card_image = cards.first.locator("img")
    expect(card_image).to_have_count(1)
    assert card_image.evaluate(LOADED) > 0

    cards.first.locator(f'h3 a[href="/catalog/p/{product.pk}/"]').click()
    expect(page).to_have_url(f"{base}/catalog/p/{product.pk}/")
    expect(page.get_by_test_id("product-name")).to_have_text(NAME)
    sku_rows = page.get_by_test_id("skus").locator("tbody tr")
    expect(sku_rows).to_have_count(2)
    for i, (spec, price, per_500g, stock) in enumerate(
        [("250g/罐", "¥98.00", "¥196.00", "100"), ("100g×3袋", "¥96.00", "¥160.00", "50")]
    ):
        cells = sku_rows.nth(i).locator("td")
        expect(cells.nth(0)).to_have_text(spec)
        expect(cells.nth(1)).to_have_text(price)
        expect(cells.nth(2)).to_contain_text(per_500g)
        expect(cells.nth(3)).to_have_text(stock)
    reports = page.get_by_test_id("test-reports").locator("tbody tr")
    expect(reports).to_have_count(1)
    expect(reports.first).to_contain_text(LAB)
    expect(reports.first).to_contain_text(REPORT_NUMBER)
    expect(reports.first).to_contain_text(report_date.isoformat())
    expect(reports.first.locator(".badge")).to_have_class(re.compile(r"\bresult-pass\b"))
    main_image = page.locator(".gallery img.main")
    expect(main_image).to_have_count(1)
    assert main_image.evaluate(LOADED) > 0
    download = page.request.get(f"{base}/catalog/reports/{report.pk}/")
    assert download.status == 200 and download.headers["content-type"] == "image/png"


def test_a_suspended_suppliers_product_is_neither_found_nor_opened(page, live_server):
    base = live_server.url
    listings = Listings()
    buyer = BuyerFactory()
    product = listings.on_sale(name="秭归脐橙 当季现摘")

    log_in(page, base, buyer.username)
    _search(page, base, "脐橙")  # found while its supplier is active
    expect(page.get_by_test_id("product-card")).to_have_count(1)
    expect(page.get_by_test_id("product-card").locator("h3")).to_have_text("秭归脐橙 当季现摘")
    assert page.goto(f"{base}/catalog/p/{product.pk}/").status == 200

    supplier = supplier_services.supplier_transition(
        supplier=listings.supplier, action=Action.SUSPEND, by=listings.onboarding.ops, reason="x"
    )
    assert supplier.status == SupplierStatus.SUSPENDED
    product.refresh_from_db()
    assert product.status == ProductStatus.ON_SALE and not product.is_visible

    _search(page, base, "脐橙")
    expect(page.get_by_test_id("product-card")).to_have_count(0)
    expect(page.get_by_test_id("result-count")).to_contain_text(re.compile(r"(?<![\d.,])0(?![\d.,])"))
    expect(page.locator(f'main a[href="/catalog/p/{product.pk}/"]')).to_have_count(0)
    response = page.goto(f"{base}/catalog/p/{product.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("product-name")).to_have_count(0)


def test_approving_from_the_queue_counts_the_approved_products(page, live_server):
    base = live_server.url
    listings = Listings()
    product = listings.product(
        name=NAME, slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)

    log_in(page, base, listings.ops.username)
    page.goto(f"{base}/admin/catalog/product/?status__exact=submitted")
    page.locator(f'#result_list input[name=_selected_action][value="{product.pk}"]').check()
    page.locator("select[name=action]").select_option("do_approve")
    page.locator("#changelist-form .actions button[name=index]").click()
    done = page.locator("ul.messagelist li")
    expect(done).to_have_count(1)
    product.refresh_from_db()
    assert product.status == ProductStatus.APPROVED
    expect(done).to_contain_text(re.compile(r"(?<![\d.,])1(?![\d.,])"), timeout=1_000)


def test_the_reviewer_sees_the_image_and_test_report_of_a_submitted_product(page, live_server):
    base = live_server.url
    listings = Listings()
    product = listings.product(
        name=NAME, slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    product_transition(product=product, action=ProductAction.SUBMIT, by=listings.user)
    report_number = product.test_reports.get().report_number

    log_in(page, base, listings.ops.username)
    page.goto(f"{base}/admin/catalog/product/?status__exact=submitted")
    page.locator(f'#result_list tbody tr a[href*="/catalog/product/{product.pk}/change/"]').click()
    expect(page).to_have_url(re.compile(rf"/admin/catalog/product/{product.pk}/change/"))
    expect(page.locator("#content")).to_contain_text("250g/罐")  # the SKU inline is there
    expect(page.locator('#content img[src^="/media/products/"]')).to_have_count(1, timeout=1_000)
    expect(page.locator("#content")).to_contain_text(report_number, timeout=1_000)
