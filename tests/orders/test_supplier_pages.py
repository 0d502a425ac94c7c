"""The supplier's order pages: only its own orders, filters and tabs, the CSV export, and every
step (confirm, ship, cancel, after-sales answers, review replies) through the pages, refusals included."""

import csv
import datetime
import io

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Sku
from orders import services, supplier_views
from orders.models import (
    AfterSaleRequest,
    AfterSaleStatus,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentStatus,
    Review,
)
from tests.catalog.conftest import jpeg_upload
from tests.orders.conftest import D, advance, completed

S = OrderStatus


def _client(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _orders(shop, buyer, count, *, price="49.90", quantity=2):
    """``count`` orders of one SKU of the second supplier, placed by ``buyer``."""
    sku = shop.sku(price=price)
    placed = []
    for _ in range(count):
        services.cart_add(user=buyer, sku=sku, quantity=quantity)
        placed += shop.checkout(buyer)
    return placed


def _numbers(response) -> list[str]:
    return [o.number for o in response.context["orders"]]


def _csv(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _errors(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Who sees what -----------------------------------------------------------------------------------


def test_a_supplier_sees_only_its_own_orders(client, shop):
    mine = shop.order()
    buyer = shop.buyer()
    services.cart_add(user=buyer, sku=shop.sku(supplier=1), quantity=1)
    (theirs,) = shop.checkout(buyer)
    client = _client(client, shop.user2)

    assert _numbers(client.get("/suppliers/orders/")) == [mine.number]
    assert client.get(f"/suppliers/orders/{mine.number}/").status_code == 200
    assert client.get(f"/suppliers/orders/{theirs.number}/").status_code == 404
    assert client.post(f"/suppliers/orders/{theirs.number}/do/confirm/").status_code == 404
    _body, rows = _csv(client.get("/suppliers/orders/export.csv"))
    assert [row[0] for row in rows[1:]] == [mine.number]

    theirs.refresh_from_db()
    assert theirs.status == S.PLACED
    assert OrderEvent.objects.filter(order=theirs).count() == 1  # only "placed"


def test_buyers_cannot_open_the_supplier_pages(client, shop):
    order = shop.order()
    client = _client(client, order.placed_by)
    assert client.get("/suppliers/orders/").status_code == 403
    assert client.get(f"/suppliers/orders/{order.number}/").status_code == 403
    assert client.get("/suppliers/orders/export.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/suppliers/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The list ---------------------------------------------------------------------------------------


def test_filters_and_status_tabs(client, shop):
    first_unit_buyer = shop.buyer(buyer_unit__name="武汉市江岸区机关事务服务中心")
    other_buyer = shop.buyer(buyer_unit__name="湖北省总工会")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())):
        (march,) = _orders(shop, first_unit_buyer, 1)
    confirmed, placed = _orders(shop, other_buyer, 2)
    advance(shop, confirmed, "confirmed")
    client = _client(client, shop.user2)

    page = client.get("/suppliers/orders/")
    assert _numbers(page) == [placed.number, confirmed.number, march.number]
    tabs = {tab["status"]: tab["count"] for tab in page.context["tabs"]}
    assert tabs == {
        "": 3,
        "placed": 2,
        "confirmed": 1,
        "shipped": 0,
        "received": 0,
        "completed": 0,
        "cancelled": 0,
    }

    assert _numbers(client.get("/suppliers/orders/", {"status": "confirmed"})) == [confirmed.number]
    assert _numbers(client.get("/suppliers/orders/", {"buyer": "总工会"})) == [
        placed.number,
        confirmed.number,
    ]
    assert _numbers(client.get("/suppliers/orders/", {"number": march.number[-9:]})) == [march.number]
    in_march = client.get("/suppliers/orders/", {"placed_from": "2026-03-01", "placed_to": "2026-03-02"})
    assert _numbers(in_march) == [march.number]
    # The tabs count under the other filters.
    assert {t["status"]: t["count"] for t in in_march.context["tabs"]}["placed"] == 1
    assert _numbers(client.get("/suppliers/orders/", {"placed_to": "2026-03-01"})) == []

    wrong = client.get("/suppliers/orders/", {"placed_from": "2026-03-05", "placed_to": "2026-03-01"})
    assert wrong.context["form"].errors == {"placed_to": ["The end date is before the start date."]}
    # The wrong end date is shown as wrong and ignored; the start date still applies.
    assert _numbers(wrong) == [placed.number, confirmed.number]
    assert "The end date is before the start date." in wrong.content.decode()


def test_the_list_pages_and_keeps_the_filters(client, shop, monkeypatch):
    monkeypatch.setattr(supplier_views, "PER_PAGE", 2)
    buyer = shop.buyer()
    orders = _orders(shop, buyer, 3)
    client = _client(client, shop.user2)
    first = client.get("/suppliers/orders/", {"status": "placed"})
    assert _numbers(first) == [orders[2].number, orders[1].number]
    assert "status=placed&amp;page=2" in first.content.decode()
    assert _numbers(client.get("/suppliers/orders/", {"status": "placed", "page": 2})) == [orders[0].number]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/suppliers/orders/", {"status": "placed"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_number_of_queries_for_more_orders(client, shop):
    buyer = shop.buyer()
    _orders(shop, buyer, 2)
    client = _client(client, shop.user2)
    few = _list_queries(client)
    _orders(shop, shop.buyer(), 5)
    assert _list_queries(client) == few


# --- The CSV export ---------------------------------------------------------------------------------


def test_the_export_has_a_bom_and_one_row_per_line_of_the_filtered_orders(client, shop):
    buyer = shop.buyer(buyer_unit__name="武汉市江岸区机关事务服务中心")
    a = shop.sku(price="49.90", spec="5kg/箱")
    b = shop.sku(price="89.00", spec="10kg/箱")
    services.cart_add(user=buyer, sku=a, quantity=2)
    services.cart_add(user=buyer, sku=b, quantity=1)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, 5, tzinfo=datetime.UTC), tick=False):
        (order,) = shop.checkout(buyer, note="")
    order = advance(shop, order, "shipped")
    other = _orders(shop, shop.buyer(), 1)[0]  # still placed: filtered out below
    client = _client(client, shop.user2)

    response = client.get("/suppliers/orders/export.csv", {"status": "shipped"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    body, rows = _csv(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0] == [
        "Order number",
        "Placed at",
        "Status",
        "Buyer unit",
        "Province",
        "Delivery address",
        "Recipient",
        "Phone",
        "Product",
        "Specification",
        "Unit price (¥)",
        "Quantity",
        "Line total (¥)",
        "Order total (¥)",
        "Carrier",
        "Tracking number",
    ]
    common = [
        order.number,
        "2026-03-02 17:30:05",  # Beijing time
        "Shipped",
        "武汉市江岸区机关事务服务中心",
        "湖北省",
        "湖北省 武汉市 江岸区 沿江大道188号3楼301室",
        "李静",
        "13912345678",
    ]
    name = a.product.name
    assert rows[1:] == [
        [*common, name, "5kg/箱", "49.90", "2", "99.80", "188.80", "顺丰速运", "SF1234567890"],
        [*common, b.product.name, "10kg/箱", "89.00", "1", "89.00", "188.80", "顺丰速运", "SF1234567890"],
    ]
    assert other.number not in body.decode("utf-8-sig")


def test_the_export_defuses_spreadsheet_formulas(client, shop):
    buyer = shop.buyer(buyer_unit__name="=HYPERLINK(1)")
    _orders(shop, buyer, 1)
    _body, rows = _csv(_client(client, shop.user2).get("/suppliers/orders/export.csv"))
    assert rows[1][3] == "'=HYPERLINK(1)"


# --- Steps on one order -----------------------------------------------------------------------------


def test_the_detail_shows_the_order(client, shop):
    buyer = shop.buyer(buyer_unit__name="武汉市江岸区机关事务服务中心")
    sku = shop.sku()
    services.cart_add(user=buyer, sku=sku, quantity=2)
    (order,) = shop.checkout(buyer, invoice_type="special", note="请工作日上午送达")
    page = _client(client, shop.user2).get(f"/suppliers/orders/{order.number}/")
    html = page.content.decode()
    assert page.context["can_confirm"] and page.context["can_cancel"] and not page.context["can_ship"]
    assert page.context["payment"].status == PaymentStatus.PENDING
    for text in (
        "武汉市江岸区机关事务服务中心",
        order.invoice_uscc,
        "VAT special invoice",
        "请工作日上午送达",
        "湖北省 武汉市 江岸区 沿江大道188号3楼301室",
        "99.80",
        "Awaiting payment",
    ):
        assert text in html, text
    assert [(e["action"], e["role"]) for e in page.context["timeline"]] == [("Place the order", "the buyer")]


def test_confirm_then_ship_through_the_page(client, shop):
    order = shop.order()
    client = _client(client, shop.user2)
    response = client.post(f"/suppliers/orders/{order.number}/do/confirm/", follow=True)
    assert _errors(response) == ["Order confirmed. Ship it when it is ready."]
    response = client.post(
        f"/suppliers/orders/{order.number}/do/ship/",
        {"carrier": "顺丰速运", "tracking_number": "SF1234567890"},
        follow=True,
    )
    assert _errors(response) == ["Order shipped. The buyer has been told the tracking number."]
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (S.SHIPPED, "顺丰速运", "SF1234567890")
    timeline = response.context["timeline"]
    assert [(e["action"], e["who"]) for e in timeline][1:] == [
        ("Confirm the order", shop.user2.display_name),
        ("Ship", shop.user2.display_name),
    ]


def test_shipping_without_a_tracking_number_says_so_on_the_field(client, shop):
    order = advance(shop, shop.order(), "confirmed")
    response = _client(client, shop.user2).post(
        f"/suppliers/orders/{order.number}/do/ship/", {"carrier": "顺丰速运", "tracking_number": " "}
    )
    assert response.status_code == 400
    form = response.context["ship_form"]
    assert form.errors == {"tracking_number": ["Enter the tracking number."]}
    assert form["carrier"].value() == "顺丰速运"
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number, order.shipped_at) == (
        S.CONFIRMED,
        "",
        "",
        None,
    )


def test_shipping_before_confirming_shows_the_services_message(client, shop):
    order = shop.order()
    response = _client(client, shop.user2).post(
        f"/suppliers/orders/{order.number}/do/ship/",
        {"carrier": "顺丰速运", "tracking_number": "SF1234567890"},
        follow=True,
    )
    assert _errors(response) == ["An order can be shipped only after the supplier confirms it."]
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (S.PLACED, "")
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_cancelling_needs_a_reason(client, shop):
    order = shop.order(quantity=3, stock=10)
    sku = Sku.objects.get(pk=order.lines.get().sku_id)
    client = _client(client, shop.user2)
    response = client.post(f"/suppliers/orders/{order.number}/do/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert response.context["cancel_form"].errors == {"reason": ["Give a reason: the buyer will read it."]}
    order.refresh_from_db()
    sku.refresh_from_db()
    assert (order.status, sku.stock) == (S.PLACED, 7)

    response = client.post(
        f"/suppliers/orders/{order.number}/do/cancel/", {"reason": "产区暴雨，无法按期发货"}, follow=True
    )
    assert _errors(response) == ["Order cancelled. The stock is back and the buyer has been told."]
    order.refresh_from_db()
    sku.refresh_from_db()
    assert (order.status, order.cancel_reason, sku.stock) == (S.CANCELLED, "产区暴雨，无法按期发货", 10)


def test_an_unknown_step_is_not_found(client, shop):
    order = shop.order()
    response = _client(client, shop.user2).post(f"/suppliers/orders/{order.number}/do/receive/")
    assert response.status_code == 404
    assert _client(client, shop.user2).get(f"/suppliers/orders/{order.number}/do/confirm/").status_code == 405


# --- After-sales and reviews --------------------------------------------------------------------------


def _request(order, amount="49.90"):
    return services.after_sale_open(
        order=order, by=order.placed_by, kind="refund", reason="三箱脐橙霉变", amount=D(amount)
    )


def test_refusing_a_request_needs_a_reason_then_accepting_refunds(client, shop):
    order = completed(shop)
    request = services.after_sale_open(
        order=order,
        by=order.placed_by,
        kind="refund",
        reason="三箱脐橙霉变",
        amount=D("49.90"),
        photos=[jpeg_upload()],
    )
    client = _client(client, shop.user2)
    page = client.get(f"/suppliers/orders/{order.number}/")
    assert "三箱脐橙霉变" in page.content.decode()
    photo = request.photos.get()
    image = client.get(f"/suppliers/orders/{order.number}/after-sales/photos/{photo.pk}/")
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")

    url = f"/suppliers/orders/{order.number}/after-sales/{request.pk}/"
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400
    form = response.context["after_sales"][0][1]
    assert form.errors == {"reason": ["Give a reason: the other side will read it."]}
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == AfterSaleStatus.OPEN

    response = client.post(url, {"decision": "accept", "reason": ""}, follow=True)
    assert _errors(response) == ["Request accepted: the refund is recorded."]
    request.refresh_from_db()
    assert (request.status, request.refunded_amount) == (AfterSaleStatus.ACCEPTED, D("49.90"))
    # Answered: the same answer again is refused with the service's message, nothing changes.
    response = client.post(url, {"decision": "refuse", "reason": "重复"}, follow=True)
    assert _errors(response) == ["“Refuse” is not possible while the request is “Accepted by the supplier”."]
    assert AfterSaleRequest.objects.get(pk=request.pk).supplier_reason == ""


def test_refusing_with_a_reason(client, shop):
    order = completed(shop)
    request = _request(order)
    response = _client(client, shop.user2).post(
        f"/suppliers/orders/{order.number}/after-sales/{request.pk}/",
        {"decision": "refuse", "reason": "签收时未提出异议"},
        follow=True,
    )
    assert _errors(response) == ["Request refused."]
    request.refresh_from_db()
    assert (request.status, request.supplier_reason, request.refunded_amount) == (
        AfterSaleStatus.REFUSED,
        "签收时未提出异议",
        D("0.00"),
    )


def test_another_orders_request_is_not_found(client, shop):
    order, other = completed(shop), completed(shop)
    request = _request(other)
    response = _client(client, shop.user2).post(
        f"/suppliers/orders/{order.number}/after-sales/{request.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 404
    assert AfterSaleRequest.objects.get(pk=request.pk).status == AfterSaleStatus.OPEN


def test_replying_to_a_review_once(client, shop):
    order = completed(shop)
    services.review_add(order=order, by=order.placed_by, quality=4, price=5, service=3, comment="新鲜")
    client = _client(client, shop.user2)
    url = f"/suppliers/orders/{order.number}/review/reply/"

    response = client.post(url, {"text": "  "})
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"text": ["Write your reply."]}
    assert Review.objects.get(order=order).reply == ""

    response = client.post(url, {"text": "感谢支持"}, follow=True)
    assert _errors(response) == ["Reply published."]
    assert "感谢支持" in response.content.decode()
    response = client.post(url, {"text": "再次感谢"}, follow=True)
    assert _errors(response) == ["You have already replied to this review."]
    assert Review.objects.get(order=order).reply == "感谢支持"


def test_replying_without_a_review_is_not_found(client, shop):
    order = completed(shop)
    assert (
        _client(client, shop.user2)
        .post(f"/suppliers/orders/{order.number}/review/reply/", {"text": "x"})
        .status_code
        == 404
    )


def test_the_supplier_nav_links_to_orders(client, shop):
    page = _client(client, shop.user2).get("/suppliers/orders/")
    assert 'href="/suppliers/orders/"' in page.content.decode()
    assert Order.objects.count() == 0
    assert page.context["tabs"][0] == {"status": "", "label": "All", "count": 0}
