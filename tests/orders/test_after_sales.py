"""After-sales: the buyer asks within the window with evidence, the supplier answers, customer
service decides disputes; every granted refund is recorded on the payment."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Notification
from orders import services
from orders.models import (
    AfterSaleEvent,
    AfterSalePhoto,
    AfterSaleRequest,
    AfterSaleStatus,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentRefund,
    PaymentStatus,
)
from tests.catalog.conftest import jpeg_upload
from tests.factories import OpsFactory
from tests.orders.conftest import D, advance, completed

A = AfterSaleStatus
GPS_EXIF = Image.Exif()
GPS_EXIF[0x8825] = {1: "N", 2: (30.0, 36.0, 0.0)}  # a GPS position in the photo's metadata


def _open(order, **overrides):
    data = {"kind": "refund", "reason": "三箱脐橙霉变", "amount": D("49.90"), "photos": []}
    data.update(overrides)
    return services.after_sale_open(order=order, by=order.placed_by, **data)


def test_a_request_is_opened_with_photos_cleaned_of_their_metadata(shop):
    order = completed(shop)
    request = _open(order, photos=[jpeg_upload(exif=GPS_EXIF.tobytes()), jpeg_upload(colour=(10, 10, 10))])
    assert (request.status, request.kind, request.amount, request.opened_by) == (
        A.OPEN,
        "refund",
        D("49.90"),
        order.placed_by,
    )
    photos = list(AfterSalePhoto.objects.filter(request=request))
    assert len(photos) == 2
    with Image.open(photos[0].image.open("rb")) as stored:
        assert not stored.getexif()
    assert photos[0].image.name.startswith(f"after_sales/{order.pk}/")
    assert list(AfterSaleEvent.objects.values_list("action", "from_status", "to_status", "actor_role")) == [
        ("open", "", "open", "buyer")
    ]
    note = Notification.objects.get(user=shop.user2, subject__startswith="Refund or return requested")
    assert note.body == "Refund only of ¥49.90: 三箱脐橙霉变"


def test_a_request_needs_a_received_order(shop):
    order = advance(shop, shop.order(), "shipped")
    with pytest.raises(ValidationError) as info:
        _open(order)
    assert info.value.messages == ["A refund or return can be requested once the order is received."]
    assert not AfterSaleRequest.objects.exists()


def test_the_window_closes_after_the_configured_days(shop, settings):
    settings.ORDER_AFTER_SALES_DAYS = 7
    received = datetime.datetime(2026, 9, 1, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(received, tick=False):
        order = completed(shop)
    late = received + datetime.timedelta(days=7, minutes=1)
    with time_machine.travel(late, tick=False), pytest.raises(ValidationError) as info:
        _open(order)
    assert info.value.messages == [
        "Refunds and returns can be requested within 7 days of receipt; this order was received on 2026-09-01."
    ]
    with time_machine.travel(received + datetime.timedelta(days=6, hours=23), tick=False):
        assert _open(order).status == A.OPEN


def test_bad_input_is_named_field_by_field_and_nothing_is_kept(shop):
    order = completed(shop)
    not_a_picture = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")
    with pytest.raises(ValidationError) as info:
        _open(order, kind="exchange", reason=" ", amount=D("100.00"), photos=[not_a_picture])
    assert info.value.message_dict == {
        "kind": ["Choose refund only, or return and refund."],
        "reason": ["Say what is wrong: the supplier will read it."],
        "amount": ["At most ¥99.80 can be requested for this order."],
        "photos": ["This file looks like a program, not a document or picture. Accepted types: JPEG, PNG."],
    }
    for amount in (D("0"), D("-1"), D("1.001"), "abc"):
        with pytest.raises(ValidationError) as info:
            _open(order, amount=amount)
        assert list(info.value.message_dict) == ["amount"]
    with pytest.raises(ValidationError) as info:
        _open(order, photos=[jpeg_upload() for _ in range(6)])
    assert info.value.message_dict == {"photos": ["At most 5 photos."]}
    assert not AfterSaleRequest.objects.exists() and not AfterSalePhoto.objects.exists()


def test_only_the_buyer_opens_and_one_request_at_a_time(shop):
    order = completed(shop)
    for user in (shop.user2, shop.buyer(), shop.service):
        with pytest.raises(PermissionDenied):
            services.after_sale_open(order=order, by=user, kind="refund", reason="x", amount=D("1.00"))
    _open(order)
    with pytest.raises(ValidationError) as info:
        _open(order)
    assert info.value.messages == ["A request for this order is already being handled; wait for its answer."]
    assert AfterSaleRequest.objects.count() == 1


def test_an_accepted_refund_is_given_back_through_the_provider(shop):
    order = completed(shop)
    request = services.after_sale_respond(request=_open(order), by=shop.user2, accept=True)
    assert (request.status, request.refunded_amount) == (A.ACCEPTED, D("49.90"))
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.refunded_amount, payment.amount_due) == (
        PaymentStatus.PAID,
        D("49.90"),
        D("49.90"),
    )
    refund = PaymentRefund.objects.get()
    assert (refund.after_sale, refund.amount, refund.actor) == (request, D("49.90"), shop.user2)
    assert refund.provider_reference.startswith("SBX-R-")
    assert OrderEvent.objects.filter(order=order, action="refunded").get().details == {"amount": "49.90"}
    assert Notification.objects.filter(
        user=order.placed_by, subject__contains="Accepted by the supplier"
    ).exists()
    # What is left can still be asked for; then the payment is refunded in full.
    with pytest.raises(ValidationError) as info:
        _open(order, amount=D("50.00"))
    assert info.value.message_dict == {"amount": ["At most ¥49.90 can be requested for this order."]}
    services.after_sale_respond(
        request=_open(order, kind="return", amount=D("49.90")), by=shop.user2, accept=True
    )
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, D("99.80"))


def test_a_refund_before_payment_lowers_what_is_due(shop):
    order = advance(shop, shop.order(), "received")
    services.after_sale_respond(request=_open(order, amount=D("20.00")), by=shop.user2, accept=True)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_due) == (PaymentStatus.PENDING, D("79.80"))
    assert PaymentRefund.objects.get().provider_reference == ""  # waived: no money moved
    services.sandbox_card_pay(payment=payment, by=order.placed_by)
    assert OrderEvent.objects.get(order=order, action="payment_received").details["amount"] == "79.80"
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_a_full_refund_before_payment_leaves_nothing_to_pay(shop):
    order = advance(shop, shop.order(), "received")
    services.after_sale_respond(request=_open(order, amount=D("99.80")), by=shop.user2, accept=True)
    assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_a_refusal_needs_a_reason_and_can_be_disputed_then_decided(shop):
    order = completed(shop)
    request = _open(order)
    with pytest.raises(ValidationError) as info:
        services.after_sale_respond(request=request, by=shop.user2, accept=False, reason="")
    assert info.value.message_dict == {"reason": ["Give a reason: the other side will read it."]}
    with pytest.raises(ValidationError):  # only a refusal can be disputed
        services.after_sale_dispute(request=request, by=order.placed_by, reason="x")
    with pytest.raises(PermissionDenied):
        services.after_sale_respond(request=request, by=order.placed_by, accept=True)
    request = services.after_sale_respond(request=request, by=shop.user2, accept=False, reason="签收时完好")
    assert (request.status, request.supplier_reason) == (A.REFUSED, "签收时完好")
    request = services.after_sale_dispute(
        request=request, by=order.placed_by, reason="开箱即发现霉变，有照片"
    )
    assert request.status == A.DISPUTED
    assert Notification.objects.filter(user=shop.service, subject__startswith="Disputed refund").count() == 1
    # Deciding is customer service's alone.
    for user in (
        OpsFactory(teams=["data_ops"]),
        OpsFactory(teams=["internal_control"]),
        shop.user2,
        order.placed_by,
    ):
        with pytest.raises(PermissionDenied):
            services.after_sale_arbitrate(request=request, by=user, decision="refund", reason="x")
    with pytest.raises(ValidationError) as info:
        services.after_sale_arbitrate(request=request, by=shop.service, decision="refund", reason=" ")
    assert list(info.value.message_dict) == ["reason"]
    request = services.after_sale_arbitrate(
        request=request, by=shop.service, decision="refund", reason="照片可见霉变"
    )
    assert (request.status, request.decision, request.refunded_amount) == (A.ARBITRATED, "refund", D("49.90"))
    assert Payment.objects.get(order=order).refunded_amount == D("49.90")
    assert list(
        AfterSaleEvent.objects.values_list("action", "to_status", "actor_id", "actor_role", "reason")
    ) == [
        ("open", "open", order.placed_by_id, "buyer", "三箱脐橙霉变"),
        ("refuse", "refused", shop.user2.pk, "supplier", "签收时完好"),
        ("dispute", "disputed", order.placed_by_id, "buyer", "开箱即发现霉变，有照片"),
        ("arbitrate", "arbitrated", shop.service.pk, "ops", "照片可见霉变"),
    ]
    for user in (order.placed_by, shop.user2):
        assert (
            Notification.objects.filter(user=user, subject__contains="Decision on the request").count() == 1
        )


def test_upholding_the_refusal_refunds_nothing(shop):
    order = completed(shop)
    request = services.after_sale_respond(request=_open(order), by=shop.user2, accept=False, reason="完好")
    request = services.after_sale_dispute(request=request, by=order.placed_by, reason="不同意")
    request = services.after_sale_arbitrate(
        request=request, by=shop.service, decision="reject", reason="无证据"
    )
    assert (request.status, request.decision, request.refunded_amount) == (A.ARBITRATED, "reject", D("0.00"))
    assert not PaymentRefund.objects.exists()
    assert Payment.objects.get(order=order).refunded_amount == 0
