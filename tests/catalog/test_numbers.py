"""Numbers a supplier or a visitor types into the catalogue (issue 17, defects 1 and 5): read by
core.numbers before anything converts them, bounded as their columns, refused with a message on
their field, and nothing stored."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Category, Product, Sku, SkuPriceChange, StockMovement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so messages are checked against their msgids whatever is translated."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


TOO_BIG = "2147483648"  # 2^31: more than an IntegerField column holds on PostgreSQL


def _import(listings, text: str):
    return services.stock_import_csv(
        supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("s.csv", text.encode())
    )


def _tiny_sku_product(listings):
    """A product whose SKU holds 1 mg: ¥99,999,999.99 for it is more per 500 g than Sku.unit_price holds."""
    return listings.product(skus=[listings.sku("1mg", qty="0.001", unit="g", price="1.00", stock=5)])


def _unchanged(sku: Sku) -> tuple:
    fresh = Sku.objects.get(pk=sku.pk)
    return (fresh.stock, fresh.price, fresh.unit_price)


def test_an_exponent_in_the_stock_csv_is_refused_at_once(listings):
    # Before the fix int(Decimal("1e600000")) ran first: this 24-byte file stalled a worker for minutes.
    sku = listings.product().skus.order_by("position").first()
    before = _unchanged(sku)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        _import(listings, f"sku_id,stock\n{sku.pk},1e600000\n")
    assert info.value.messages == ["Line 2: Stock “1e600000” is not a whole number."]
    assert _unchanged(sku) == before and not StockMovement.objects.exists()


def test_stock_csv_numbers_the_columns_cannot_hold_are_refused(listings):
    # Before the fix 1e5000 became a 5001-digit int that crashed the write, and 2^31 was stored on
    # SQLite (PostgreSQL refused it with a 500); a huge SKU id crashed the query.
    a, b = listings.product().skus.order_by("position")
    before = _unchanged(a), _unchanged(b)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        _import(listings, f"sku_id,stock\n{a.pk},1e5000\n{b.pk},{TOO_BIG}\n{'9' * 30},1\n")
    assert info.value.messages == [
        "Line 2: Stock “1e5000” is not a whole number.",
        "Line 3: Stock “2147483648” is more than 2147483647.",
        f"Line 4: “{'9' * 20}…” is not a SKU number.",
    ]
    assert (_unchanged(a), _unchanged(b)) == before and not StockMovement.objects.exists()


@pytest.mark.parametrize("price", ["1e3", "Infinity", "NaN", "100000000.00", "9" * 60])
def test_stock_csv_prices_in_exponent_form_or_too_large_are_refused(listings, price):
    sku = listings.product().skus.order_by("position").first()
    before = _unchanged(sku)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        _import(listings, f"sku_id,stock,price\n{sku.pk},5,{price}\n")
    shown = price if len(price) <= 20 else price[:20] + "…"
    assert info.value.messages == [
        f"Line 2: Price “{shown}” is not an amount in yuan above zero (e.g. 49.90)."
    ]
    assert _unchanged(sku) == before


def test_a_csv_price_whose_unit_price_the_column_cannot_hold_is_refused(listings):
    # Before the fix the unit price overflowed Sku.unit_price (12 digits) while saving: a 500.
    sku = _tiny_sku_product(listings).skus.get()
    before = _unchanged(sku)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        _import(listings, f"sku_id,stock,price\n{sku.pk},7,99999999.99\n")
    assert info.value.messages == [
        "Line 2: For this quantity the unit price would be above ¥9,999,999,999.99: "
        "check the price and the net quantity."
    ]
    assert _unchanged(sku) == before
    assert not SkuPriceChange.objects.filter(sku=sku).exclude(old_price=None).exists()


def _product_post(**sku):
    return {
        "category": Category.objects.get(slug="citrus").pk,
        "name": "秭归脐橙",
        "storage": "cool",
        "sku-TOTAL_FORMS": "1",
        "sku-INITIAL_FORMS": "0",
        "sku-MIN_NUM_FORMS": "1",
        "sku-MAX_NUM_FORMS": "1000",
        "sku-0-spec": "5kg/箱",
        "sku-0-net_quantity": "5",
        "sku-0-unit": "kg",
        "sku-0-pack_count": "1",
        "sku-0-price": "49.90",
        "sku-0-stock": "10",
        **{f"sku-0-{k}": v for k, v in sku.items()},
    }


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("stock", TOO_BIG, "Enter a number no more than 2147483647."),
        ("weight_grams", TOO_BIG, "Enter a number no more than 2147483647."),
        ("pack_count", TOO_BIG, "Enter a number no more than 2147483647."),
        ("stock", "1e6", "Enter a whole number, e.g. 12."),
        ("price", "1e6", "Enter a number in plain digits, e.g. 49.90."),
        ("price", "100000000", "Enter a number no more than 99999999.99."),
    ],
)
def test_the_product_form_refuses_numbers_its_columns_cannot_hold(client, listings, field, value, message):
    client.force_login(listings.user)
    with translation.override("en"):
        response = client.post("/suppliers/products/new/", _product_post(**{field: value}))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors[field] == [message]
    assert not Product.objects.exists()


def test_the_product_form_refuses_a_price_whose_unit_price_the_column_cannot_hold(client, listings):
    client.force_login(listings.user)
    post = _product_post(net_quantity="0.001", unit="g", price="99999999.99")
    with translation.override("en"):
        response = client.post("/suppliers/products/new/", post)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["price"] == [
        "For this quantity the unit price would be above ¥9,999,999,999.99: check the price and the net quantity."
    ]
    assert not Product.objects.exists() and not Sku.objects.exists()


def test_the_shelf_life_is_bounded_as_its_column(client, listings):
    client.force_login(listings.user)
    with translation.override("en"):
        response = client.post("/suppliers/products/new/", {**_product_post(), "shelf_life_days": TOO_BIG})
    assert response.context["form"].errors["shelf_life_days"] == ["Enter a number no more than 2147483647."]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "post",
    [
        {"price": "1.00", "stock": TOO_BIG},
        {"price": "99999999.99", "stock": "5"},
        {"price": "1e9", "stock": "5"},
    ],
)
def test_the_quick_sku_edit_refuses_numbers_the_columns_cannot_hold(client, listings, post):
    product = _tiny_sku_product(listings)
    sku = product.skus.get()
    before = _unchanged(sku)
    client.force_login(listings.user)
    with translation.override("en"):
        response = client.post(f"/suppliers/products/{product.pk}/skus/{sku.pk}/", post, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("1mg: ") and "updated" not in shown[0]
    assert _unchanged(sku) == before and not StockMovement.objects.exists()


def _first_sku_errors(body: dict) -> dict:
    """The first SKU's errors: DRF lists the serializer's by index ({"0": …}), the service's in a list."""
    skus = body["skus"]
    return skus["0"] if isinstance(skus, dict) else skus[0]


def _api_payload(**sku):
    return {
        "category": "citrus",
        "name": "秭归脐橙 API",
        "storage": "cool",
        "skus": [
            {"spec": "5kg/箱", "net_quantity": "5", "unit": "kg", "pack_count": 1, "price": "49.90", **sku}
        ],
    }


@pytest.mark.parametrize(
    "sku,field",
    [
        ({"stock": 2**31}, "stock"),
        ({"stock": "1e3"}, "stock"),
        ({"weight_grams": 2**31}, "weight_grams"),
        ({"pack_count": 10**400}, "pack_count"),
        ({"price": "1e3"}, "price"),
        ({"price": "99999999.99", "net_quantity": "0.001", "unit": "g"}, "price"),
    ],
)
def test_the_supplier_api_refuses_numbers_the_columns_cannot_hold(listings, sku, field):
    api = APIClient()
    api.force_authenticate(listings.user)
    response = api.post("/api/v1/supplier/products/", _api_payload(**sku), format="json")
    assert response.status_code == 400
    assert list(_first_sku_errors(response.json())) == [field]
    assert not Product.objects.exists()


def test_the_supplier_api_refuses_them_on_update_too(listings):
    product = listings.product()
    before = sorted(Sku.objects.filter(product=product).values_list("pk", "stock", "price"))
    api = APIClient()
    api.force_authenticate(listings.user)
    response = api.put(
        f"/api/v1/supplier/products/{product.pk}/",
        {**_api_payload(stock=2**31), "shelf_life_days": 2**31},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert list(_first_sku_errors(body)) == ["stock"] and "shelf_life_days" in body
    assert sorted(Sku.objects.filter(product=product).values_list("pk", "stock", "price")) == before


@pytest.mark.parametrize("param", ["price_min", "price_max"])
@pytest.mark.parametrize("value", ["1e999999", "Infinity", "NaN", "1" * 100, "-1"])
def test_the_catalogue_refuses_prices_it_cannot_compare_with(client, listings, param, value):
    # Before the fix ?price_min=1e999999 answered 500 on the page and the API.
    listings.on_sale()
    page = client.get("/catalog/", {param: value})
    assert page.status_code == 200
    assert page.context["form"].errors[param]
    assert page.context["page"].total == 1  # the list as without the filter
    api = client.get("/api/v1/catalog/products/", {param: value})
    assert api.status_code == 400 and list(api.json()) == [param]


def test_the_catalogue_refuses_ids_and_pages_it_cannot_look_up(client, listings):
    listings.on_sale()
    for params in ({"county": "9" * 30}, {"page": "9" * 30}, {"price_min": "1.5", "price_max": "1e2"}):
        assert client.get("/catalog/", params).status_code == 200
        assert client.get("/api/v1/catalog/products/", params).status_code == 400


def test_plain_prices_still_filter(client, listings):
    product = listings.on_sale()  # 4.45 per 500 g at the lowest

    def ids(**params) -> list[int]:
        return [p["id"] for p in client.get("/api/v1/catalog/products/", params).json()["results"]]

    assert ids(price_min="4.45", price_max=" 4.45 ") == [product.pk]
    assert ids(price_min="4.46") == []
    assert Decimal(client.get("/api/v1/catalog/products/").json()["results"][0]["min_unit_price"]) == Decimal(
        "4.45"
    )


def test_a_products_stock_total_stays_within_its_column(listings):
    # Each SKU may hold up to 2^31 - 1; before the fix their sum went to Product.total_stock as it was
    # (stored on SQLite, a 500 on PostgreSQL).
    biggest = 2**31 - 1
    product = listings.product(
        skus=[listings.sku(stock=biggest), listings.sku("10kg/箱", "10", stock=biggest)]
    )
    product.refresh_from_db()
    assert product.total_stock == biggest
    assert sum(product.skus.values_list("stock", flat=True)) == 2 * biggest  # the SKUs keep their own


@pytest.mark.parametrize("pk", ["9" * 30, "²", "1e3", "0"])
def test_a_product_id_that_is_no_id_is_not_found(client, listings, pk):
    # Before the fix "²" passed str.isdigit() and failed int(), and 30 digits overflowed the query: 500s.
    listings.on_sale()
    assert client.get(f"/api/v1/catalog/products/{pk}/").status_code == 404
