"""Orders in the admin: read-only pages; customer service decides disputes and confirms transfers
through actions that ask for a reason (or the bank reference) and call the services."""

import pytest
from django.conf import settings

from orders import services
from orders.models import AfterSaleStatus, Order, Payment, PaymentMethod, PaymentStatus
from tests.factories import OpsFactory
from tests.orders.conftest import D, advance, completed

REQUESTS = "/admin/orders/aftersalerequest/"
PAYMENTS = "/admin/orders/payment/"


def _act(client, url, action, objects, reason=None):
    data = {"action": action, "_selected_action": [o.pk for o in objects]}
    if reason is not None:
        data |= {"confirm": "1", "reason": reason}
    return client.post(url, data, follow=True)


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def disputed(shop):
    order = completed(shop)
    request = services.after_sale_open(
        order=order, by=order.placed_by, kind="refund", reason="霉变", amount=D("10.00")
    )
    request = services.after_sale_respond(request=request, by=shop.user2, accept=False, reason="完好")
    return services.after_sale_dispute(request=request, by=order.placed_by, reason="有照片")


def test_customer_service_decides_a_dispute_with_a_reason(client, shop, disputed):
    client.force_login(shop.service)
    page = _act(client, REQUESTS, "arbitrate_refund", [disputed])
    assert page.templates[0].name == "admin/action_reason.html"
    page = _act(client, REQUESTS, "arbitrate_refund", [disputed], reason="")
    assert page.context["form"].errors["reason"]
    disputed.refresh_from_db()
    assert disputed.status == AfterSaleStatus.DISPUTED
    _act(client, REQUESTS, "arbitrate_refund", [disputed], reason="照片可见霉变")
    disputed.refresh_from_db()
    assert (disputed.status, disputed.decision, disputed.decision_reason) == (
        AfterSaleStatus.ARBITRATED,
        "refund",
        "照片可见霉变",
    )
    assert Payment.objects.get(order=disputed.order).refunded_amount == D("10.00")


def test_other_teams_see_requests_but_cannot_decide(client, shop, disputed):
    client.force_login(OpsFactory(teams=["internal_control"]))
    page = client.get(REQUESTS)
    assert page.status_code == 200
    assert "arbitrate_refund" not in page.content.decode()
    _act(client, REQUESTS, "arbitrate_refund", [disputed], reason="x")
    disputed.refresh_from_db()
    assert disputed.status == AfterSaleStatus.DISPUTED


def test_ops_confirm_a_bank_transfer_with_its_reference(client, shop):
    order = advance(shop, shop.order(method=PaymentMethod.BANK_TRANSFER), "received")
    payment = Payment.objects.get(order=order)
    client.force_login(shop.service)
    page = _act(client, PAYMENTS, "confirm_transfer", [payment])
    assert page.templates[0].name == "admin/action_reason.html"
    _act(client, PAYMENTS, "confirm_transfer", [payment], reason="ABC2026091100123")
    payment.refresh_from_db()
    assert (payment.status, payment.bank_reference, payment.confirmed_by) == (
        PaymentStatus.PAID,
        "ABC2026091100123",
        shop.service,
    )
    assert Order.objects.get(pk=order.pk).status == "completed"


def test_a_card_payment_is_not_offered_for_transfer_confirmation(client, shop):
    order = shop.order()
    client.force_login(shop.service)
    page = _act(client, PAYMENTS, "confirm_transfer", [Payment.objects.get(order=order)], reason="X")
    [message] = [str(m) for m in page.context["messages"]]
    assert message == "Choose one bank transfer awaiting payment. Nothing was changed."
    assert Payment.objects.get(order=order).status == PaymentStatus.PENDING


def test_order_pages_are_read_only(client, shop):
    order = completed(shop)
    client.force_login(OpsFactory(teams=["data_ops"]))
    assert client.get("/admin/orders/order/").status_code == 200
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert order.number in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
