"""Payments through the provider interface: the sandbox card page, transfers confirmed by ops, and
signed notifications verified in constant time and acted on once."""

import json
import time
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from orders import payments, services
from orders.models import OrderEvent, OrderStatus, Payment, PaymentMethod, PaymentNotification, PaymentStatus
from orders.payments import SIGNATURE_HEADER, TIMESTAMP_HEADER, SandboxProvider, get_provider
from tests.factories import OpsFactory
from tests.orders.conftest import D, advance


def _payment(order) -> Payment:
    return Payment.objects.get(order=order)


def test_the_sandbox_is_the_default_provider(settings):
    assert settings.PAYMENT_PROVIDER == "sandbox"
    assert isinstance(get_provider(), SandboxProvider)
    with pytest.raises(ValidationError) as info:
        get_provider("alipay")
    assert info.value.code == "unknown_provider"


def test_starting_a_card_payment_gives_the_card_page_once(shop):
    order = shop.order()
    start = services.payment_start(order=order, by=order.placed_by)
    payment = _payment(order)
    assert start.reference == payment.provider_reference and start.reference.startswith("SBX-")
    assert start.redirect_url == f"/orders/pay/{payment.pk}/"
    assert services.payment_start(order=order, by=order.placed_by) == start  # the same, not a new one
    with pytest.raises(PermissionDenied):
        services.payment_start(order=order, by=shop.user2)


def test_a_transfer_shows_where_to_send_the_money(shop):
    order = shop.order(method=PaymentMethod.BANK_TRANSFER)
    start = services.payment_start(order=order, by=order.placed_by)
    assert start.redirect_url == ""
    assert start.instructions == {
        **SandboxProvider.TRANSFER_ACCOUNT,
        "amount": "99.80",
        "memo": order.number,
    }


def test_the_buyer_pays_by_card_on_the_sandbox_page(shop):
    order = shop.order()
    payment = services.sandbox_card_pay(payment=_payment(order), by=order.placed_by)
    assert (payment.status, payment.paid_at is not None) == (PaymentStatus.PAID, True)
    event = OrderEvent.objects.get(order=order, action="payment_received")
    assert (event.actor_id, event.actor_role, event.details) == (
        order.placed_by_id,
        "buyer",
        {"amount": "99.80", "method": "official_card"},
    )
    assert Notification.objects.filter(
        user=shop.user2, subject=f"Payment received for order {order.number}"
    ).exists()
    with pytest.raises(ValidationError) as info:
        services.sandbox_card_pay(payment=payment, by=order.placed_by)
    assert info.value.messages == ["This payment is not awaiting payment (it is “Paid”)."]
    assert OrderEvent.objects.filter(order=order, action="payment_received").count() == 1


def test_only_the_buyer_pays_and_not_a_transfer_by_card(shop):
    order = shop.order()
    for user in (shop.buyer(), shop.user2, shop.service):
        with pytest.raises(PermissionDenied):
            services.sandbox_card_pay(payment=_payment(order), by=user)
    transfer = shop.order(method=PaymentMethod.BANK_TRANSFER)
    with pytest.raises(ValidationError) as info:
        services.sandbox_card_pay(payment=_payment(transfer), by=transfer.placed_by)
    assert info.value.messages == ["This payment is not a sandbox card payment."]
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.PENDING}


def test_a_cancelled_order_cannot_be_paid(shop):
    order = shop.order()
    services.order_transition(order=order, action="cancel", by=order.placed_by)
    with pytest.raises(ValidationError) as info:
        services.sandbox_card_pay(payment=_payment(order), by=order.placed_by)
    assert info.value.messages == ["This order was cancelled; it cannot be paid."]


def test_ops_confirm_a_transfer_with_the_banks_reference(shop):
    order = advance(shop, shop.order(method=PaymentMethod.BANK_TRANSFER), "received")
    payment = _payment(order)
    for user in (OpsFactory(teams=["data_ops"]), order.placed_by, shop.user2):
        with pytest.raises(PermissionDenied):
            services.payment_confirm_transfer(payment=payment, by=user, reference="ABC")
    with pytest.raises(ValidationError) as info:
        services.payment_confirm_transfer(payment=payment, by=shop.service, reference="  ")
    assert info.value.message_dict == {"reference": ["Enter the bank's transaction reference."]}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    services.payment_confirm_transfer(payment=payment, by=shop.service, reference="ABC2026091100123")
    payment.refresh_from_db()
    assert (payment.status, payment.bank_reference, payment.confirmed_by) == (
        PaymentStatus.PAID,
        "ABC2026091100123",
        shop.service,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED  # it had been received
    event = OrderEvent.objects.get(order=order, action="payment_received")
    assert (event.actor, event.actor_role, event.details["bank_reference"]) == (
        shop.service,
        "ops",
        "ABC2026091100123",
    )


def test_a_card_payment_is_not_confirmed_as_a_transfer(shop):
    order = shop.order()
    with pytest.raises(ValidationError) as info:
        services.payment_confirm_transfer(payment=_payment(order), by=shop.service, reference="X")
    assert info.value.messages == ["This payment is not a bank transfer."]


# --- Signed notifications --------------------------------------------------------------------------


@pytest.fixture
def started(shop):
    order = shop.order()
    services.payment_start(order=order, by=order.placed_by)
    return order, _payment(order)


def _handle(headers, body):
    return services.payment_notification_handle(provider="sandbox", headers=headers, body=body)


def test_a_signed_notification_pays_once_and_a_replay_changes_nothing(started):
    order, payment = started
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_1")
    with mock.patch.object(payments.hmac, "compare_digest", wraps=payments.hmac.compare_digest) as compare:
        first = _handle(headers, body)
    assert compare.call_count == 1  # the signature is compared in constant time
    payment.refresh_from_db()
    assert (first.result, first.payment, payment.status) == ("paid", payment, PaymentStatus.PAID)
    paid_at = payment.paid_at
    event = OrderEvent.objects.get(order=order, action="payment_received")
    assert (event.actor, event.actor_role, event.details["notification"]) == (None, "system", "evt_1")
    again = _handle(headers, body)
    assert again.pk == first.pk and again.result == "paid"
    payment.refresh_from_db()
    assert payment.paid_at == paid_at
    assert PaymentNotification.objects.count() == 1
    assert OrderEvent.objects.filter(action="payment_received").count() == 1
    # A new event about a payment already paid is stored but changes nothing.
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_2")
    assert _handle(headers, body).result == "already paid"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: ({**h, SIGNATURE_HEADER: "sha256=" + "0" * 64}, b),
        lambda h, b: (h, b.replace(b'"paid"', b'"paid" ')),  # the body changed after signing
        lambda h, b: ({k: v for k, v in h.items() if k != SIGNATURE_HEADER}, b),
        lambda h, b: ({**h, TIMESTAMP_HEADER: "yesterday"}, b),
        lambda h, b: ({**h, SIGNATURE_HEADER: "sha256=é"}, b),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(started, tamper):
    _order, payment = started
    headers, body = tamper(*SandboxProvider.notification(payment=payment, event_id="evt_1"))
    with pytest.raises(ValidationError) as info:
        _handle(headers, body)
    assert info.value.code == "bad_signature"
    assert not PaymentNotification.objects.exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_an_old_notification_is_refused_even_when_signed(started):
    _order, payment = started
    body = json.dumps(
        {"id": "evt_1", "reference": payment.provider_reference, "status": "paid", "amount": "99.80"}
    )
    headers = SandboxProvider.signed_headers(body.encode(), timestamp=int(time.time()) - 3600)
    with pytest.raises(ValidationError) as info:
        _handle(headers, body.encode())
    assert info.value.messages == ["The notification is too old to be trusted."]
    assert not PaymentNotification.objects.exists()


def test_without_a_secret_every_notification_is_refused(started, settings):
    _order, payment = started
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_1")
    settings.PAYMENT_WEBHOOK_SECRET = ""
    with pytest.raises(ValidationError) as info:
        _handle(headers, body)
    assert info.value.code == "bad_signature"


def test_header_names_are_case_insensitive(started):
    _order, payment = started
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_1")
    assert _handle({k.lower(): v for k, v in headers.items()}, body).result == "paid"


def test_a_wrong_amount_is_recorded_and_not_paid(started):
    _order, payment = started
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_1", amount=D("0.01"))
    note = _handle(headers, body)
    assert note.result == "ignored: amount 0.01 is not 99.80"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_a_failed_payment_can_be_tried_again_with_a_new_one(started):
    order, payment = started
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_1", status="failed")
    assert _handle(headers, body).result == "failed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    start = services.payment_start(order=order, by=order.placed_by)
    retry = Payment.objects.get(order=order, status=PaymentStatus.PENDING)
    assert (
        retry.pk != payment.pk and start.reference == retry.provider_reference != payment.provider_reference
    )
    services.sandbox_card_pay(payment=retry, by=order.placed_by)
    assert list(Payment.objects.filter(order=order).order_by("id").values_list("status", flat=True)) == [
        "failed",
        "paid",
    ]


def test_a_notification_about_an_unknown_payment_is_kept_for_ops(shop):
    body = json.dumps({"id": "evt_9", "reference": "SBX-NOPE", "status": "paid", "amount": "1.00"}).encode()
    note = _handle(SandboxProvider.signed_headers(body), body)
    assert (note.result, note.payment, note.processed_at is not None) == ("unknown payment", None, True)


def test_an_unreadable_body_is_refused(shop):
    body = b"not json"
    with pytest.raises(ValidationError) as info:
        _handle(SandboxProvider.signed_headers(body), body)
    assert info.value.code == "bad_payload"
    assert not PaymentNotification.objects.exists()


def test_the_provider_endpoint_acts_once_and_refuses_bad_signatures(started, client):
    _order, payment = started
    url = "/orders/payments/notify/sandbox/"
    headers, body = SandboxProvider.notification(payment=payment, event_id="evt_web")
    http = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    forged = {**http, "HTTP_X_FENGSHOU_SIGNATURE": "sha256=" + "0" * 64}
    refused = client.post(url, body, content_type="application/json", **forged)
    assert refused.status_code == 400 and refused.json()["error"] == "bad_signature"
    assert not PaymentNotification.objects.exists()
    first = client.post(url, body, content_type="application/json", **http)
    assert first.status_code == 200 and first.json() == {"event": "evt_web", "result": "paid"}
    again = client.post(url, body, content_type="application/json", **http)  # a replay
    assert again.json() == {"event": "evt_web", "result": "paid"}
    assert PaymentNotification.objects.count() == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert (
        client.post("/orders/payments/notify/nobody/", body, content_type="application/json").status_code
        == 400
    )
    assert client.get(url).status_code == 405
