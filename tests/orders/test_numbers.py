"""Numbers from buyers and from payment providers (issue 17, defect 5): a refund amount or a
correctly signed notification that no column can hold is refused with a message or a 400, not a
500, and nothing is stored."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from orders import services
from orders.models import AfterSaleRequest, OrderEvent, PaymentNotification, PaymentStatus
from orders.payments import SandboxProvider
from tests.catalog.conftest import jpeg_upload
from tests.orders.conftest import D, advance, completed
from tests.orders.test_payments import _handle, _payment

AMOUNT_MESSAGE = "Enter an amount in yuan with at most two decimal places, above ¥0.00."


@pytest.mark.parametrize("amount", ["1e99999", "1E+2", "Infinity", "NaN", "9" * 5000, "49.90" + "0" * 100])
def test_a_refund_amount_in_exponent_form_or_too_long_gets_a_clear_message(shop, amount):
    # Before the fix Decimal("1e99999").quantize(...) raised InvalidOperation: a 500.
    order = completed(shop)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.after_sale_open(
            order=order, by=order.placed_by, kind="refund", reason="霉变", amount=amount, photos=[]
        )
    assert info.value.message_dict == {"amount": [AMOUNT_MESSAGE]}
    assert not AfterSaleRequest.objects.exists()


def test_the_refund_page_answers_1e99999_with_the_message_on_the_field(shop, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    order = advance(shop, shop.order(), "received")
    client.force_login(order.placed_by)
    response = client.post(
        f"/orders/{order.number}/after-sales/",
        {"kind": "refund", "reason": "两箱有压坏", "amount": "1e99999", "photos": [jpeg_upload()]},
    )
    assert response.status_code == 400
    assert response.context["after_sale_form"].errors == {"amount": [AMOUNT_MESSAGE]}
    assert not AfterSaleRequest.objects.exists()


def test_a_plain_refund_amount_is_still_taken(shop):
    order = completed(shop)
    request = services.after_sale_open(
        order=order, by=order.placed_by, kind="refund", reason="霉变", amount=" 20.5 ", photos=[]
    )
    assert request.amount == D("20.50")


@pytest.fixture
def started(shop):
    order = shop.order()
    services.payment_start(order=order, by=order.placed_by)
    return order, _payment(order)


def _body(payment, **fields) -> bytes:
    data = {"id": "evt_1", "reference": payment.provider_reference, "status": "paid", "amount": "99.80"}
    return json.dumps({**data, **fields}).encode()


def _post(client, body: bytes):
    http = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in SandboxProvider.signed_headers(body).items()}
    return client.post("/orders/payments/notify/sandbox/", body, content_type="application/json", **http)


def _nothing_happened(payment) -> bool:
    payment.refresh_from_db()
    return (
        not PaymentNotification.objects.exists()
        and payment.status == PaymentStatus.PENDING
        and not OrderEvent.objects.filter(order=payment.order, action="payment_received").exists()
    )


@pytest.mark.parametrize(
    "raw_amount",
    [
        b"Infinity",  # not JSON, but Python's json reads it
        b"-Infinity",
        b"NaN",
        b"1e30",
        b'"Infinity"',
        b'"NaN"',
        b'"1e30"',
        b"1" + b"0" * 4400,  # more digits than int() converts
        b"1" + b"0" * 4000,
    ],
)
def test_signed_notifications_with_amounts_no_column_holds_answer_400(started, client, raw_amount):
    # Before the fix money(Decimal("Infinity")) and money(Decimal("1e30")) raised in the service: a 500.
    _order, payment = started
    body = _body(payment, amount="AMOUNT").replace(b'"AMOUNT"', raw_amount)
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_payload"
    assert _nothing_happened(payment)


@pytest.mark.parametrize("field", ["id", "reference", "status"])
def test_signed_notifications_with_over_long_or_odd_ids_answer_400(started, client, field):
    # An id longer than PaymentNotification.event_id (100) reached the database (PostgreSQL: a 500).
    _order, payment = started
    for value in ("x" * 101, {"nested": "id"}, ["evt"], None, True, ""):
        response = _post(client, _body(payment, **{field: value}))
        assert response.status_code == 400, value
        assert response.json()["error"] == "bad_payload"
    assert _nothing_happened(payment)


@pytest.mark.parametrize("depth", [9, 5000, 100_000])
def test_signed_notifications_nested_deeply_answer_400(started, client, depth):
    # Before the fix json.loads raised RecursionError on deep nesting: a 500.
    _order, payment = started
    body = _body(payment, extra="NEST").replace(b'"NEST"', b"[" * depth + b"]" * depth)
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_payload"
    assert _nothing_happened(payment)


def test_a_body_that_is_not_an_object_answers_400(started, client):
    _order, payment = started
    for body in (b"[1, 2]", b'"paid"', b"3"):
        assert _post(client, body).status_code == 400
    assert _nothing_happened(payment)


def test_a_sane_signed_notification_still_pays(started, client):
    _order, payment = started
    response = _post(client, _body(payment, amount=99.8, id=12345, extra={"channel": ["card"]}))
    assert response.status_code == 200 and response.json() == {"event": "12345", "result": "paid"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_the_parser_refuses_before_the_service_is_reached(started):
    _order, payment = started
    body = _body(payment, amount="1e99999")
    with pytest.raises(ValidationError) as info:
        _handle(SandboxProvider.signed_headers(body), body)
    assert info.value.code == "bad_payload"
