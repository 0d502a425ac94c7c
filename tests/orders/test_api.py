"""The orders API: buyers read their unit's orders and place their cart (idempotently, at current
prices); suppliers list and move their own orders. Another unit's or supplier's order is a 404."""

import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import services as catalog_services
from catalog.models import Sku, StockMovement
from orders import services
from orders.models import Checkout, Order, OrderEvent, OrderStatus, Payment
from tests.factories import BuyerFactory
from tests.orders.conftest import D, advance

S = OrderStatus


def _api(user) -> APIClient:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the site is Chinese unless one chooses
    client.force_authenticate(user)
    return client


# --- Buyers: reading ------------------------------------------------------------------------------


def test_a_buyer_lists_and_reads_its_units_orders_only(shop):
    order = shop.order(quantity=2)
    colleague = BuyerFactory(buyer_unit=order.buyer_unit)
    other = shop.order()  # another unit's
    client = _api(colleague)

    body = client.get("/api/v1/orders/").json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "number": order.number,
            "status": "placed",
            "status_label": "Placed, awaiting the supplier's confirmation",
            "buyer_unit": order.buyer_unit.name,
            "supplier": shop.supplier2.legal_name,
            "goods_total": "99.80",
            "shipping_fee": "0.00",
            "total": "99.80",
            "payment_method": "official_card",
            "placed_at": body["results"][0]["placed_at"],
            "carrier": "",
            "tracking_number": "",
        }
    ]
    detail = client.get(f"/api/v1/orders/{order.number}/").json()
    line = order.lines.get()
    assert detail["lines"] == [
        {
            "sku": line.sku_id,
            "product": line.product_id,
            "product_name": line.product_name,
            "spec": "5kg/箱",
            "price": "49.90",
            "quantity": 2,
            "line_total": "99.80",
        }
    ]
    assert (detail["address"], detail["invoice_type"], detail["payment_status"]) == (
        "湖北省 武汉市 江岸区 沿江大道188号3楼301室",
        "ordinary",
        "pending",
    )
    assert [(e["action"], e["to_status"], e["actor_role"]) for e in detail["events"]] == [
        ("place", "placed", "buyer")
    ]
    assert client.get(f"/api/v1/orders/{other.number}/").status_code == 404


def test_suppliers_and_anonymous_users_cannot_use_the_buyer_endpoints(shop):
    order = shop.order()
    assert _api(shop.user2).get("/api/v1/orders/").status_code == 403
    assert _api(shop.user2).get("/api/v1/orders/checkout/").status_code == 403
    assert APIClient().get(f"/api/v1/orders/{order.number}/").status_code in (401, 403)


# --- Buyers: checkout -----------------------------------------------------------------------------


def _checkout_body(buyer, fingerprint, **overrides):
    body = {
        "address": buyer.buyer_unit.addresses.get(is_default=True).pk,
        "invoice_type": "special",
        "payment_method": "bank_transfer",
        "note": "请工作日送达",
        "fingerprint": fingerprint,
        "idempotency_key": uuid.uuid4().hex,
    }
    body.update(overrides)
    return body


def test_checkout_previews_then_places_one_order_per_supplier_once(shop):
    buyer = shop.buyer()
    a, b = shop.sku(supplier=1, price="30.00"), shop.sku(supplier=2, price="49.90", stock=10)
    services.cart_add(user=buyer, sku=a, quantity=1)
    services.cart_add(user=buyer, sku=b, quantity=3)
    client = _api(buyer)

    preview = client.get("/api/v1/orders/checkout/").json()
    assert [(g["supplier_name"], g["total"]) for g in preview["groups"]] == [
        (shop.supplier.legal_name, "30.00"),
        (shop.supplier2.legal_name, "149.70"),
    ]
    assert (preview["total"], preview["problems"], preview["price_changes"], preview["can_place"]) == (
        "179.70",
        [],
        [],
        True,
    )

    body = _checkout_body(buyer, preview["fingerprint"])
    first = client.post("/api/v1/orders/checkout/", body, format="json")
    assert first.status_code == 201
    placed = first.json()
    assert [(o["supplier"], o["total"], o["invoice_type"], o["note"]) for o in placed] == [
        (shop.supplier.legal_name, "30.00", "special", "请工作日送达"),
        (shop.supplier2.legal_name, "149.70", "special", "请工作日送达"),
    ]
    # The second click (same key) returns the same orders and makes nothing more.
    again = client.post("/api/v1/orders/checkout/", body, format="json")
    assert [o["number"] for o in again.json()] == [o["number"] for o in placed]
    assert (Order.objects.count(), Checkout.objects.count(), Payment.objects.count()) == (2, 1, 2)
    assert Sku.objects.get(pk=b.pk).stock == 7


def test_a_price_change_is_refused_with_the_changes_and_nothing_is_made(shop):
    buyer = shop.buyer()
    sku = shop.sku(supplier=1, price="49.90", stock=10)
    services.cart_add(user=buyer, sku=sku, quantity=2)
    client = _api(buyer)
    fingerprint = client.get("/api/v1/orders/checkout/").json()["fingerprint"]
    catalog_services.sku_update(sku=sku, by=shop.user, price=D("52.00"))

    response = client.post("/api/v1/orders/checkout/", _checkout_body(buyer, fingerprint), format="json")
    assert response.status_code == 400
    name = f"{sku.product.name} 5kg/箱"
    assert response.json() == {
        "fingerprint": [
            f"The price of “{name}” changed from ¥49.90 to ¥52.00.",
            "Check the new totals and confirm again.",
        ]
    }
    assert (
        Order.objects.count(),
        Payment.objects.count(),
        StockMovement.objects.exclude(reference="").count(),
    ) == (0, 0, 0)
    assert Sku.objects.get(pk=sku.pk).stock == 10
    # The next preview shows the new price, and confirming it places the order.
    preview = client.get("/api/v1/orders/checkout/").json()
    assert (preview["total"], preview["price_changes"]) == ("104.00", [])
    placed = client.post(
        "/api/v1/orders/checkout/", _checkout_body(buyer, preview["fingerprint"]), format="json"
    )
    assert placed.status_code == 201 and placed.json()[0]["total"] == "104.00"


def test_checkout_refuses_bad_input_with_the_services_messages(shop):
    buyer = shop.buyer()
    services.cart_add(user=buyer, sku=shop.sku(), quantity=1)
    other_units_address = shop.buyer().buyer_unit.addresses.get()
    client = _api(buyer)
    fingerprint = client.get("/api/v1/orders/checkout/").json()["fingerprint"]

    wrong = client.post(
        "/api/v1/orders/checkout/",
        _checkout_body(buyer, fingerprint, invoice_type="fancy", payment_method=""),
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "invoice_type": ["Choose the invoice type."],
        "payment_method": ["Choose how your unit pays."],
    }
    foreign = client.post(
        "/api/v1/orders/checkout/",
        _checkout_body(buyer, fingerprint, address=other_units_address.pk),
        format="json",
    )
    assert foreign.json() == {"address": ["Choose one of your unit's delivery addresses."]}
    assert Order.objects.count() == 0


def test_checkout_of_an_empty_cart(shop):
    buyer = shop.buyer()
    client = _api(buyer)
    preview = client.get("/api/v1/orders/checkout/").json()
    assert (preview["groups"], preview["can_place"]) == ([], False)
    response = client.post(
        "/api/v1/orders/checkout/", _checkout_body(buyer, preview["fingerprint"]), format="json"
    )
    assert (response.status_code, response.json()) == (400, {"non_field_errors": ["Your cart is empty."]})


# --- Suppliers ------------------------------------------------------------------------------------


def test_a_supplier_lists_its_own_orders_with_a_status_filter(shop):
    first, second = shop.order(), shop.order()
    advance(shop, first, "confirmed")
    buyer = shop.buyer()
    services.cart_add(user=buyer, sku=shop.sku(supplier=1), quantity=1)
    (foreign,) = shop.checkout(buyer)
    client = _api(shop.user2)

    def numbers(**params) -> list[str]:
        return [o["number"] for o in client.get("/api/v1/supplier/orders/", params).json()["results"]]

    assert numbers() == [second.number, first.number]
    assert numbers(status="confirmed") == [first.number]
    assert numbers(number=second.number) == [second.number]
    assert client.get("/api/v1/supplier/orders/", {"status": "lost"}).status_code == 400
    assert client.get(f"/api/v1/supplier/orders/{first.number}/").json()["status"] == "confirmed"
    assert client.get(f"/api/v1/supplier/orders/{foreign.number}/").status_code == 404
    assert _api(first.placed_by).get("/api/v1/supplier/orders/").status_code == 403


def test_a_supplier_confirms_ships_and_cancels_through_the_api(shop):
    order, other = shop.order(), shop.order(quantity=3, stock=10)
    client = _api(shop.user2)
    base = f"/api/v1/supplier/orders/{order.number}"

    early = client.post(f"{base}/ship/", {"carrier": "顺丰速运", "tracking_number": "SF1"}, format="json")
    assert (early.status_code, early.json()) == (
        400,
        {"non_field_errors": ["An order can be shipped only after the supplier confirms it."]},
    )
    assert client.post(f"{base}/confirm/").json()["status"] == "confirmed"
    missing = client.post(f"{base}/ship/", {"carrier": "顺丰速运"}, format="json")
    assert (missing.status_code, missing.json()) == (400, {"tracking_number": ["Enter the tracking number."]})
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (S.CONFIRMED, "")

    shipped = client.post(
        f"{base}/ship/", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}, format="json"
    )
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "SF1234567890")
    assert [e["action"] for e in shipped.json()["events"]] == ["place", "confirm", "ship"]

    other_base = f"/api/v1/supplier/orders/{other.number}"
    no_reason = client.post(f"{other_base}/cancel/", {}, format="json")
    assert (no_reason.status_code, no_reason.json()) == (
        400,
        {"reason": ["Give a reason: the buyer will read it."]},
    )
    cancelled = client.post(f"{other_base}/cancel/", {"reason": "产区暴雨"}, format="json").json()
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["payment_status"]) == (
        "cancelled",
        "产区暴雨",
        None,
    )
    assert Sku.objects.get(pk=other.lines.get().sku_id).stock == 10


def test_a_supplier_cannot_act_on_another_suppliers_order(shop):
    buyer = shop.buyer()
    services.cart_add(user=buyer, sku=shop.sku(supplier=1), quantity=1)
    (foreign,) = shop.checkout(buyer)
    response = _api(shop.user2).post(f"/api/v1/supplier/orders/{foreign.number}/confirm/")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == S.PLACED
    assert OrderEvent.objects.filter(order=foreign).count() == 1


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/supplier/orders/"])
def test_the_lists_take_the_same_number_of_queries_for_more_orders(shop, path):
    buyer = shop.buyer()
    sku = shop.sku()
    client = _api(shop.user2 if "supplier" in path else buyer)
    services.cart_add(user=buyer, sku=sku, quantity=1)
    shop.checkout(buyer)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    for _ in range(4):
        services.cart_add(user=buyer, sku=sku, quantity=1)
        shop.checkout(buyer)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(path).json()["results"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
