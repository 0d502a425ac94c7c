"""The buyer's order pages: cart, checkout, the unit's orders and the order detail's actions, driven
through the test client with state set up by the services."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buyers.models import DeliveryAddress
from catalog import services as catalog_services
from catalog.models import Sku, StockMovement
from catalog.workflow import ProductAction
from orders import services
from orders.models import (
    AfterSaleRequest,
    AfterSaleStatus,
    CartItem,
    Checkout,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Review,
)
from regions.models import County
from tests.catalog.conftest import jpeg_upload
from tests.factories import BuyerFactory
from tests.orders.conftest import JIANGAN, D, advance, completed


def _messages(response) -> list[str]:
    """The messages this request added (those of earlier, unfollowed redirects are still stored)."""
    get_messages(response.wsgi_request)  # the storage, loaded
    return [str(m) for m in response.wsgi_request._messages._queued_messages]


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _checkout_post(
    client, *, address, key=None, fingerprint=None, method=PaymentMethod.OFFICIAL_CARD, **extra
):
    """Open the checkout page as the buyer would, then post its form back."""
    page = client.get("/orders/checkout/")
    assert page.status_code == 200
    html = page.content.decode()
    data = {
        "action": "place",
        "address": address.pk,
        "invoice_type": "special",
        "payment_method": method,
        "note": "请工作日送货",
        "fingerprint": fingerprint or _hidden(html, "fingerprint"),
        "idempotency_key": key or _hidden(html, "idempotency_key"),
        **extra,
    }
    return client.post("/orders/checkout/", data), data


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """Pages in English, so texts are checked against their msgids whatever is translated."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def two_suppliers(shop, client):
    """A signed-in buyer with 3 × ¥49.90 from supplier 1 and 2 × ¥12.35 from supplier 2 in the cart."""
    buyer = shop.buyer()
    a = shop.sku(supplier=1, price="49.90", stock=10)
    b = shop.sku(supplier=2, price="12.35", stock=5, spec="500g/袋")
    services.cart_add(user=buyer, sku=a, quantity=3)
    services.cart_add(user=buyer, sku=b, quantity=2)
    client.force_login(buyer)
    return buyer, a, b


# --- Access -----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(shop, client):
    order = shop.order()
    payment = Payment.objects.get(order=order)
    for url in [
        "/orders/",
        "/orders/cart/",
        "/orders/checkout/",
        f"/orders/{order.number}/",
        f"/orders/pay/{payment.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_suppliers_are_refused_the_buyer_pages(shop, client):
    order = shop.order()
    client.force_login(shop.user2)
    for url in ["/orders/", "/orders/cart/", "/orders/checkout/", f"/orders/{order.number}/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/orders/{order.number}/action/", {"action": "cancel"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_another_units_order_and_payment_are_not_found(shop, client):
    order = shop.order()
    payment = Payment.objects.get(order=order)
    client.force_login(shop.buyer())
    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.get(f"/orders/pay/{payment.pk}/").status_code == 404
    assert client.post(f"/orders/{order.number}/action/", {"action": "cancel"}).status_code == 404
    assert client.post(f"/orders/{order.number}/pay/").status_code == 404
    response = client.post(
        f"/orders/pay/{payment.pk}/", {"holder": "王五", "card_number": "6222020000000000"}
    )
    assert response.status_code == 404
    assert client.get("/orders/").content.decode().count(order.number) == 0
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PLACED, PaymentStatus.PENDING)


def test_every_buyer_of_the_unit_sees_the_units_orders(shop, client):
    order = shop.order()
    colleague = BuyerFactory(buyer_unit=order.buyer_unit)
    client.force_login(colleague)
    assert client.get(f"/orders/{order.number}/").status_code == 200
    assert order.number in client.get("/orders/").content.decode()


def test_a_cart_item_of_another_user_cannot_be_changed(shop, client, two_suppliers):
    buyer, a, _b = two_suppliers
    item = CartItem.objects.get(cart__user=buyer, sku=a)
    client.force_login(shop.buyer())
    assert client.post(f"/orders/cart/items/{item.pk}/", {"quantity": 1}).status_code == 404
    assert client.post(f"/orders/cart/items/{item.pk}/", {"action": "remove"}).status_code == 404
    item.refresh_from_db()
    assert item.quantity == 3


# --- Adding to the cart -----------------------------------------------------------------------------


def test_the_product_page_offers_add_to_cart_to_buyers_only(shop, client):
    sku = shop.sku(supplier=1)
    url = f"/catalog/p/{sku.product_id}/"
    assert f'data-testid="add-to-cart-{sku.pk}"' not in client.get(url).content.decode()
    client.force_login(shop.user)
    assert f'data-testid="add-to-cart-{sku.pk}"' not in client.get(url).content.decode()
    client.force_login(shop.buyer())
    assert f'data-testid="add-to-cart-{sku.pk}"' in client.get(url).content.decode()


def test_adding_to_the_cart_goes_back_to_the_product_with_a_message(shop, client):
    buyer = shop.buyer()
    sku = shop.sku(supplier=1, price="49.90", stock=10)
    client.force_login(buyer)
    response = client.post("/orders/cart/add/", {"sku": sku.pk, "quantity": 3, "price": "0.01"})
    assert response.status_code == 302
    assert response["Location"] == f"/catalog/p/{sku.product_id}/"
    assert _messages(response) == ["Added 3 × “秭归脐橙 当季现摘 5kg/箱” to your cart."]
    item = CartItem.objects.get(cart__user=buyer)
    # The price posted alongside is ignored: the cart remembers the price shown, ¥49.90.
    assert (item.sku_id, item.quantity, item.price_seen) == (sku.pk, 3, D("49.90"))
    page = client.get("/orders/cart/").content.decode()
    assert 'data-testid="cart-count">1<' in page
    assert 'data-testid="cart-total">¥149.70<' in page


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Enter a quantity of at least 1."),
        (11, "Only 10 left of “秭归脐橙 当季现摘 5kg/箱”."),
        ("", "Enter a quantity of at least 1."),
    ],
)
def test_adding_a_wrong_quantity_says_why_and_adds_nothing(shop, client, quantity, message):
    sku = shop.sku(supplier=1, stock=10)
    client.force_login(shop.buyer())
    response = client.post("/orders/cart/add/", {"sku": sku.pk, "quantity": quantity})
    assert response["Location"] == f"/catalog/p/{sku.product_id}/"
    assert _messages(response) == [message]
    assert not CartItem.objects.exists()


def test_adding_an_off_sale_sku_says_so_and_adds_nothing(shop, client):
    sku = shop.sku(supplier=2)
    catalog_services.product_transition(
        product=sku.product, action=ProductAction.TAKE_OFF_SALE, by=shop.user2
    )
    client.force_login(shop.buyer())
    response = client.post("/orders/cart/add/", {"sku": sku.pk, "quantity": 1})
    assert _messages(response) == ["“秭归脐橙 当季现摘 5kg/箱” is no longer on sale."]
    response = client.post("/orders/cart/add/", {"sku": 999999, "quantity": 1})
    assert response["Location"] == "/catalog/"
    assert _messages(response) == ["This product is no longer offered."]
    assert not CartItem.objects.exists()


# --- The cart page ------------------------------------------------------------------------------------


def test_the_cart_groups_by_supplier_with_totals_and_each_lines_problem(shop, client, two_suppliers):
    _buyer, a, b = two_suppliers
    catalog_services.sku_update(sku=a, by=shop.user, price=D("52.00"))
    catalog_services.sku_update(sku=b, by=shop.user2, stock=1)
    html = client.get("/orders/cart/").content.decode()
    assert f'data-testid="group-total-{shop.supplier.pk}">¥156.00<' in html
    assert f'data-testid="group-total-{shop.supplier2.pk}">¥24.70<' in html
    assert 'data-testid="cart-total">¥180.70<' in html
    assert re.search(rf'data-testid="price-change-{a.pk}">.*<s>¥49.90</s> → <strong>¥52.00</strong>', html)
    assert f'data-testid="line-problem-{b.pk}">Only 1 left of “秭归脐橙 当季现摘 500g/袋”.<' in html
    # Something stands in the way: no checkout link.
    assert 'data-testid="checkout"' not in html


def test_quantities_are_updated_and_lines_removed_on_the_cart(client, two_suppliers):
    buyer, a, b = two_suppliers
    item_a = CartItem.objects.get(cart__user=buyer, sku=a)
    item_b = CartItem.objects.get(cart__user=buyer, sku=b)
    response = client.post(f"/orders/cart/items/{item_a.pk}/", {"quantity": 5, "action": "update"})
    assert response["Location"] == "/orders/cart/"
    response = client.post(f"/orders/cart/items/{item_a.pk}/", {"quantity": 11, "action": "update"})
    assert _messages(response) == ["Only 10 left of “秭归脐橙 当季现摘 5kg/箱”."]
    client.post(f"/orders/cart/items/{item_b.pk}/", {"action": "remove"})
    assert list(CartItem.objects.filter(cart__user=buyer).values_list("sku_id", "quantity")) == [(a.pk, 5)]
    assert 'data-testid="cart-total">¥249.50<' in client.get("/orders/cart/").content.decode()


# --- Checkout ---------------------------------------------------------------------------------------------


def test_checkout_shows_the_units_invoice_details_and_the_servers_totals(shop, client, two_suppliers):
    buyer, _a, _b = two_suppliers
    html = client.get("/orders/checkout/").content.decode()
    assert buyer.buyer_unit.name in html
    assert buyer.buyer_unit.uscc in html
    assert f'data-testid="checkout-group-total-{shop.supplier.pk}">¥149.70<' in html
    assert f'data-testid="checkout-group-total-{shop.supplier2.pk}">¥24.70<' in html
    assert 'data-testid="checkout-total">¥174.40<' in html
    assert _hidden(html, "fingerprint") == services.checkout_preview(user=buyer).fingerprint
    # A fresh key on each rendering.
    assert _hidden(html, "idempotency_key") != _hidden(
        client.get("/orders/checkout/").content.decode(), "idempotency_key"
    )


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shop, client):
    client.force_login(shop.buyer())
    response = client.get("/orders/checkout/")
    assert response["Location"] == "/orders/cart/"


def test_checkout_places_one_order_per_supplier_at_the_servers_prices(shop, client, two_suppliers):
    buyer, a, b = two_suppliers
    address = buyer.buyer_unit.addresses.get()
    response, _data = _checkout_post(client, address=address, price="0.01", total="0.01", goods_total="1")
    assert response.status_code == 302
    assert response["Location"] == "/orders/"
    orders = list(Order.objects.order_by("number"))
    assert [(o.supplier_id, o.total, o.invoice_type, o.note, o.payment_method) for o in orders] == [
        (shop.supplier.pk, D("149.70"), "special", "请工作日送货", "official_card"),
        (shop.supplier2.pk, D("24.70"), "special", "请工作日送货", "official_card"),
    ]
    assert orders[0].invoice_title == buyer.buyer_unit.name
    assert orders[0].address == "湖北省 武汉市 江岸区 沿江大道188号3楼301室"
    assert _messages(response) == [
        f"Your orders are placed: {orders[0].number}, {orders[1].number}. Each supplier will confirm its order."
    ]
    assert not CartItem.objects.filter(cart__user=buyer).exists()
    assert Sku.objects.get(pk=a.pk).stock == 7 and Sku.objects.get(pk=b.pk).stock == 3
    listing = client.get("/orders/").content.decode()
    assert all(f'data-testid="order-{o.number}"' in listing for o in orders)


def test_a_price_changed_since_the_page_was_shown_asks_again(shop, client, two_suppliers):
    buyer, a, _b = two_suppliers
    address = buyer.buyer_unit.addresses.get()
    page = client.get("/orders/checkout/").content.decode()
    old_fingerprint, key = _hidden(page, "fingerprint"), _hidden(page, "idempotency_key")
    catalog_services.sku_update(sku=a, by=shop.user, price=D("52.00"))
    data = {
        "action": "place",
        "address": address.pk,
        "invoice_type": "ordinary",
        "payment_method": "official_card",
        "fingerprint": old_fingerprint,
        "idempotency_key": key,
    }
    response = client.post("/orders/checkout/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The price of “秭归脐橙 当季现摘 5kg/箱” changed from ¥49.90 to ¥52.00." in html
    assert "Check the new totals and confirm again." in html
    assert 'data-testid="checkout-total">¥180.70<' in html
    assert (
        Order.objects.count(),
        Checkout.objects.count(),
        StockMovement.objects.exclude(reference="").count(),
    ) == (0, 0, 0)
    new_fingerprint = _hidden(html, "fingerprint")
    assert new_fingerprint != old_fingerprint
    # Confirming the new totals places the orders at the new price.
    response = client.post(
        "/orders/checkout/",
        {**data, "fingerprint": new_fingerprint, "idempotency_key": _hidden(html, "idempotency_key")},
    )
    assert response.status_code == 302
    assert sorted(Order.objects.values_list("total", flat=True)) == [D("24.70"), D("156.00")]


def test_a_second_click_with_the_same_key_returns_the_same_orders(shop, client, two_suppliers):
    buyer, _a, _b = two_suppliers
    address = buyer.buyer_unit.addresses.get()
    first, data = _checkout_post(client, address=address)
    numbers = sorted(Order.objects.values_list("number", flat=True))
    second = client.post("/orders/checkout/", data)
    assert second.status_code == 302
    assert second["Location"] == "/orders/"
    assert _messages(second) == [
        f"Your orders are placed: {numbers[0]}, {numbers[1]}. Each supplier will confirm its order."
    ]
    assert (Order.objects.count(), Checkout.objects.count(), Payment.objects.count()) == (2, 1, 2)
    assert first["Location"] == second["Location"]


def test_checkout_without_an_address_or_with_another_units_says_so(shop, client, two_suppliers):
    other = shop.buyer().buyer_unit.addresses.get()
    _response, data = _checkout_post(client, address=other)
    response = client.post("/orders/checkout/", {**data, "address": other.pk})
    assert response.status_code == 200
    assert "Choose one of your unit&#x27;s delivery addresses." in response.content.decode()
    response = client.post("/orders/checkout/", {**data, "address": ""})
    assert "Choose one of your unit&#x27;s delivery addresses." in response.content.decode()
    assert (Order.objects.count(), Checkout.objects.count()) == (0, 0)


def test_a_wrong_new_address_shows_errors_on_its_fields_and_saves_nothing(client, two_suppliers):
    buyer, _a, _b = two_suppliers
    county = County.objects.select_related("city").get(code=JIANGAN)
    response = client.post(
        "/orders/checkout/",
        {
            "action": "address",
            "new-recipient": "",
            "new-phone": "12345",
            "new-province": county.province_id,
            "new-city": county.city_id,
            "new-county": "",
            "new-detail": "",
        },
    )
    assert response.status_code == 200
    form = response.context["address_form"]
    assert form.errors == {
        "recipient": ["Enter the recipient's name."],
        "phone": [
            "Enter a mainland mobile number (11 digits starting with 1) or a landline with its area code, "
            "e.g. 027-85551234."
        ],
        "county": ["Choose the county or district."],
        "detail": ["Enter the street address (street, building and room)."],
    }
    assert DeliveryAddress.objects.filter(buyer_unit=buyer.buyer_unit).count() == 1


def test_a_new_address_is_saved_and_chosen(client, two_suppliers):
    buyer, _a, _b = two_suppliers
    county = County.objects.select_related("city").get(code=JIANGAN)
    response = client.post(
        "/orders/checkout/",
        {
            "action": "address",
            "new-recipient": "王芳",
            "new-phone": "027-85551234",
            "new-province": county.province_id,
            "new-city": county.city_id,
            "new-county": county.pk,
            "new-detail": "胜利街2号",
        },
    )
    address = DeliveryAddress.objects.get(buyer_unit=buyer.buyer_unit, recipient="王芳")
    assert response["Location"] == f"/orders/checkout/?address={address.pk}"
    html = client.get(response["Location"]).content.decode()
    assert re.search(rf'value="{address.pk}"[^>]*checked', html)


# --- The unit's orders -----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_order_list_costs_the_same_with_2_and_12_orders(shop, client):
    buyer = shop.buyer()
    for _ in range(2):
        shop.order(buyer)
    client.force_login(buyer)
    few = _queries(client, "/orders/")
    for _ in range(10):
        shop.order(buyer)
    assert _queries(client, "/orders/") == few
    assert _queries(client, "/orders/?status=placed") == few


def test_the_order_list_filters_by_status(shop, client):
    buyer = shop.buyer()
    placed, cancelled = shop.order(buyer), shop.order(buyer)
    services.order_transition(order=cancelled, action="cancel", by=buyer)
    client.force_login(buyer)
    html = client.get("/orders/?status=cancelled").content.decode()
    assert cancelled.number in html and placed.number not in html


# --- Order detail: actions ----------------------------------------------------------------------------------


def test_the_buyer_cancels_an_order_before_confirmation(shop, client):
    order = shop.order(quantity=2, stock=10)
    client.force_login(order.placed_by)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="cancel"' in html and 'data-testid="receive"' not in html
    response = client.post(f"/orders/{order.number}/action/", {"action": "cancel", "reason": "预算调整"})
    assert response["Location"] == f"/orders/{order.number}/"
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "预算调整")
    assert order.lines.get().sku.stock == 10
    assert Payment.objects.get(order=order).status == PaymentStatus.CANCELLED


def test_a_transition_that_is_not_allowed_says_why_and_changes_nothing(shop, client):
    order = advance(shop, shop.order(), "confirmed")
    client.force_login(order.placed_by)
    response = client.post(f"/orders/{order.number}/action/", {"action": "receive"})
    assert _messages(response) == ["An order can be received only after the supplier ships it."]
    response = client.post(f"/orders/{order.number}/action/", {"action": "cancel"})
    assert _messages(response) == [
        "The supplier has already confirmed this order, so it can no longer be cancelled here: "
        "ask the supplier to cancel it."
    ]
    assert client.post(f"/orders/{order.number}/action/", {"action": "ship"}).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_the_buyer_confirms_receipt_and_sees_carrier_and_history(shop, client):
    order = advance(shop, shop.order(), "shipped")
    client.force_login(order.placed_by)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="carrier">顺丰速运<' in html and 'data-testid="tracking-number">SF1234567890<' in html
    assert 'data-testid="event-ship"' in html
    client.post(f"/orders/{order.number}/action/", {"action": "receive"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED  # not paid yet


def test_paying_by_card_on_the_sandbox_page_completes_a_received_order(shop, client):
    order = advance(shop, shop.order(), "received")
    payment = Payment.objects.get(order=order)
    client.force_login(order.placed_by)
    response = client.post(f"/orders/{order.number}/pay/")
    assert response["Location"] == f"/orders/pay/{payment.pk}/"
    assert 'data-testid="pay-amount">¥99.80<' in client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {"holder": "李静", "card_number": "12"})
    assert response.status_code == 200
    assert "Enter the 16 to 19 digits of the card number." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    response = client.post(
        f"/orders/pay/{payment.pk}/", {"holder": "李静", "card_number": "6222 0200 0000 0000"}
    )
    assert response["Location"] == f"/orders/{order.number}/"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == (PaymentStatus.PAID, OrderStatus.COMPLETED)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-status="completed"' in html and 'data-testid="review-submit"' in html


def test_a_bank_transfer_shows_the_account_and_awaits_ops(shop, client):
    order = shop.order(method=PaymentMethod.BANK_TRANSFER)
    client.force_login(order.placed_by)
    client.post(f"/orders/{order.number}/pay/")
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="transfer-details"' in html
    assert "6228 4800 0000 0000 000" in html and order.number in html
    assert 'data-testid="awaiting-transfer"' in html
    assert Payment.objects.get(order=order).status == PaymentStatus.PENDING


def test_the_buyer_asks_for_a_refund_with_photos_and_disputes_a_refusal(shop, client):
    order = advance(shop, shop.order(), "received")
    client.force_login(order.placed_by)
    response = client.post(
        f"/orders/{order.number}/after-sales/",
        {"kind": "refund", "reason": "", "amount": "500.00", "photos": [jpeg_upload()]},
    )
    assert response.status_code == 400
    form = response.context["after_sale_form"]
    assert form.errors == {
        "reason": ["Say what is wrong: the supplier will read it."],
        "amount": ["At most ¥99.80 can be requested for this order."],
    }
    assert not AfterSaleRequest.objects.exists()
    response = client.post(
        f"/orders/{order.number}/after-sales/",
        {
            "kind": "refund",
            "reason": "两箱有压坏",
            "amount": "20.00",
            "photos": [jpeg_upload(), jpeg_upload("b.jpg")],
        },
    )
    assert response["Location"] == f"/orders/{order.number}/"
    request = AfterSaleRequest.objects.get()
    assert (request.kind, request.amount, request.photos.count()) == ("refund", D("20.00"), 2)
    services.after_sale_respond(request=request, by=shop.user2, accept=False, reason="照片显示包装完好")
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f'data-testid="supplier-answer-{request.pk}">照片显示包装完好<' in html
    client.post(f"/orders/{order.number}/after-sales/{request.pk}/dispute/", {"reason": "签收时已拍照"})
    request.refresh_from_db()
    assert (request.status, request.dispute_reason) == (AfterSaleStatus.DISPUTED, "签收时已拍照")


def test_the_buyer_reviews_a_completed_order_once_and_sees_the_reply(shop, client):
    order = completed(shop)
    client.force_login(order.placed_by)
    response = client.post(f"/orders/{order.number}/review/", {"quality": "5", "price": "", "service": "4"})
    assert response.status_code == 400
    assert response.context["review_form"].errors == {"price": ["Give 1 to 5 stars."]}
    assert not Review.objects.exists()
    response = client.post(
        f"/orders/{order.number}/review/", {"quality": "5", "price": "4", "service": "4", "comment": "新鲜"}
    )
    assert response["Location"] == f"/orders/{order.number}/"
    review = Review.objects.get()
    assert (review.quality, review.price, review.service, review.comment) == (5, 4, 4, "新鲜")
    response = client.post(f"/orders/{order.number}/review/", {"quality": "1", "price": "1", "service": "1"})
    assert _messages(response) == ["This order has already been reviewed."]
    assert Review.objects.get().quality == 5
    services.review_reply(review=review, by=shop.user2, text="感谢支持")
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="review-reply">感谢支持<' in html
    assert 'data-testid="review-submit"' not in html
    # The supplier's ratings show on its products.
    product_page = client.get(f"/catalog/p/{order.lines.get().product_id}/").content.decode()
    assert re.search(
        r'data-testid="supplier-ratings">Quality <strong>5.0</strong> · Price <strong>4.0</strong>',
        product_page,
    )
