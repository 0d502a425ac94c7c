"""Buyer and supplier catalogue pages: what they show, who may open them, and their query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductStatus
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_a_two_character_search_finds_the_product(client, listings):
    orange = listings.on_sale(name="秭归脐橙 当季现摘")
    listings.on_sale(
        name="罗田土蜂蜜", slug="honey", skus=[listings.sku("500g/瓶", "500", "g", "58.00")], report=True
    )
    page = client.get("/catalog/", {"q": "脐橙"})
    assert [p.pk for p in page.context["page"].products] == [orange.pk]
    assert client.get("/catalog/", {"q": "蜂蜜"}).context["page"].total == 1
    assert client.get("/catalog/", {"q": "苹果"}).context["page"].total == 0


def test_filters_and_sorting(client, listings):
    cheap = listings.on_sale(name="脐橙 家庭装", skus=[listings.sku("10kg/箱", "10", price="40.00")])
    dear = listings.on_sale(name="脐橙 礼盒装", skus=[listings.sku("5kg/箱", "5", price="99.00", stock=0)])
    ids = lambda **params: [p.pk for p in client.get("/catalog/c/citrus/", params).context["page"].products]  # noqa: E731
    assert ids(sort="unit_price") == [cheap.pk, dear.pk]
    assert ids(sort="-unit_price") == [dear.pk, cheap.pk]
    assert ids(in_stock="on") == [cheap.pk]
    assert ids(price_max="5") == [cheap.pk]  # ¥2.00/500 g vs ¥9.90/500 g
    assert ids(price_min="5") == [dear.pk]
    assert set(ids(province=listings.supplier.county.province_id)) == {cheap.pk, dear.pk}
    assert ids(province=11) == []  # 北京
    assert ids(certification="organic") == []
    # The parent category shows its leaves' products.
    assert len(client.get("/catalog/c/fruit/").context["page"].products) == 2


def test_only_visible_products_are_listed_or_opened(client, listings):
    draft = listings.product(name="未上架脐橙")
    assert client.get("/catalog/", {"q": "未上架"}).context["page"].total == 0
    assert client.get(f"/catalog/p/{draft.pk}/").status_code == 404


def test_product_page_shows_skus_unit_prices_reports_and_batches(client, listings):
    from catalog import services

    product = listings.on_sale(
        name="巴东富硒绿茶",
        slug="green-tea",
        report=True,
        skus=[listings.sku("250g/罐", "250", "g", "98.00")],
    )
    report = product.test_reports.get()
    batch = services.trace_batch_add(
        product=product,
        by=listings.user,
        batch_number="2026-05-01",
        produced_on=report.report_date,
        base="巴东县茶店子镇基地",
        quantity="800 kg",
        test_report=report,
    )
    html = client.get(f"/catalog/p/{product.pk}/").content.decode()
    assert "250g/罐" in html and "¥196.00/500克" in html
    assert report.report_number in html and f"/trace/{batch.code}/" in html
    trace = client.get(f"/trace/{batch.code}/").content.decode()
    assert "巴东县茶店子镇基地" in trace and "2026-05-01" in trace
    qr = client.get(f"/trace/{batch.code}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    download = client.get(f"/catalog/reports/{report.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Cache-Control"] == "private, no-store"


def test_reports_of_unlisted_products_stay_private(client, listings):
    product = listings.product(
        slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    report = product.test_reports.get()
    assert client.get(f"/catalog/reports/{report.pk}/").status_code == 404
    client.force_login(BuyerFactory())
    assert client.get(f"/catalog/reports/{report.pk}/").status_code == 404
    client.force_login(listings.user)
    assert client.get(f"/catalog/reports/{report.pk}/").status_code == 200


def test_list_and_detail_pages_cost_the_same_with_10_and_1000_products(client, listings):
    from demo.catalog_bulk import generate_catalog

    generate_catalog(products=10, seed=1, suppliers=[listings.supplier])
    product = Product.objects.filter(is_visible=True).first()
    urls = ["/catalog/", "/catalog/c/fruit/", "/catalog/?q=橙", f"/catalog/p/{product.pk}/"]
    client.get(urls[0])  # the category tree is cached after the first page
    few = [_queries(client, url) for url in urls]
    generate_catalog(products=990, seed=2, suppliers=[listings.supplier])
    assert Product.objects.filter(is_visible=True).count() >= 1000
    assert [_queries(client, url) for url in urls] == few


def test_supplier_product_list_costs_the_same_with_more_products(client, listings):
    client.force_login(listings.user)
    listings.product()
    client.get("/suppliers/products/")  # fills the category tree cache
    few = _queries(client, "/suppliers/products/")
    for i in range(6):
        listings.product(name=f"脐橙{i}")
    assert _queries(client, "/suppliers/products/") == few


def test_a_supplier_cannot_open_another_suppliers_product(client, listings):
    product = listings.product()
    _other, other_user = listings.active_supplier()
    client.force_login(other_user)
    assert client.get(f"/suppliers/products/{product.pk}/").status_code == 404
    assert client.get(f"/suppliers/products/{product.pk}/edit/").status_code == 404
    response = client.post(f"/suppliers/products/{product.pk}/action/", {"action": "submit"})
    assert response.status_code == 404
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


def test_product_form_reports_errors_per_row(client, listings):
    from catalog.models import Category

    client.force_login(listings.user)
    data = {
        "category": Category.objects.get(slug="citrus").pk,
        "name": "秭归脐橙",
        "storage": "cool",
        "sku-TOTAL_FORMS": "2",
        "sku-INITIAL_FORMS": "0",
        "sku-MIN_NUM_FORMS": "1",
        "sku-MAX_NUM_FORMS": "1000",
        "sku-0-spec": "5kg/箱",
        "sku-0-net_quantity": "5",
        "sku-0-unit": "kg",
        "sku-0-pack_count": "1",
        "sku-0-price": "49.90",
        "sku-0-stock": "10",
        "sku-1-spec": "1L",
        "sku-1-net_quantity": "1",
        "sku-1-unit": "L",
        "sku-1-pack_count": "1",
        "sku-1-price": "9.90",
        "sku-1-stock": "10",
    }
    response = client.post("/suppliers/products/new/", data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["unit"]
    assert not Product.objects.exists()
    response = client.post("/suppliers/products/new/", {**data, "sku-1-unit": "kg"})
    assert response.status_code == 302
    assert Product.objects.get().skus.count() == 2


def test_public_catalogue_api(client, listings):
    product = listings.on_sale(name="秭归脐橙 当季现摘")
    body = client.get("/api/v1/catalog/products/", {"q": "脐橙"}).json()
    assert body["count"] == 1 and body["results"][0]["id"] == product.pk
    assert body["results"][0]["min_unit_price"] == "4.45"
    detail = client.get(f"/api/v1/catalog/products/{product.pk}/").json()
    assert [s["spec"] for s in detail["skus"]] == ["5kg/箱", "10kg/箱"]
    assert client.get("/api/v1/catalog/products/", {"category": "nope"}).status_code == 400


def test_supplier_api_creates_and_submits_its_own_products(listings):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(listings.user)
    payload = {
        "category": "citrus",
        "name": "秭归脐橙 API",
        "description": "d",
        "shelf_life_days": 20,
        "storage": "cool",
        "skus": [
            {
                "spec": "5kg/箱",
                "net_quantity": "5",
                "unit": "kg",
                "pack_count": 1,
                "price": "49.90",
                "stock": 10,
            }
        ],
    }
    response = api.post("/api/v1/supplier/products/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["skus"][0]["unit_price"] == "4.99" and body["precheck"]  # no image yet
    bad = api.post(
        "/api/v1/supplier/products/",
        {**payload, "skus": [{**payload["skus"][0], "price": "0"}]},
        format="json",
    )
    assert bad.status_code == 400 and list(bad.json()["skus"][0]) == ["price"]
    assert api.post(f"/api/v1/supplier/products/{body['id']}/submit/").status_code == 400
    _other, other_user = listings.active_supplier()
    api.force_authenticate(other_user)
    assert api.get(f"/api/v1/supplier/products/{body['id']}/").status_code == 404
