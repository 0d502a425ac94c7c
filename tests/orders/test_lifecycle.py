"""The order lifecycle (orders.workflow): each step by its actor from its states only, recorded
with who, in which capacity and why, the other party told; cancelling gives the stock back."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from catalog.models import Product, Sku, StockMovement
from core.workflow import Actor
from orders import services
from orders.models import (
    Order,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentRefund,
    PaymentStatus,
)
from orders.tasks import auto_receive_orders
from orders.workflow import ORDER_WORKFLOW, PIPELINE, OrderAction
from tests.factories import SupplierUserFactory
from tests.orders.conftest import D, advance

S = OrderStatus
SHIP = {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}


def _events(order):
    return list(
        OrderEvent.objects.filter(order=order).values_list(
            "action", "from_status", "to_status", "actor_id", "actor_role", "reason"
        )
    )


def _inbox(user, prefix="Order "):
    return list(
        Notification.objects.filter(user=user, subject__startswith=prefix)
        .order_by("id")
        .values_list("subject", flat=True)
    )


def test_refusals_are_declared_only_for_states_a_step_is_not_allowed_from():
    for transition in ORDER_WORKFLOW.transitions:
        for states, _message in transition.refusals:
            assert not states & transition.sources, transition


def test_the_table_reaches_every_state_and_names_its_actors():
    assert {t.target for t in ORDER_WORKFLOW.transitions} | {S.PLACED} == set(S.values)
    assert set(PIPELINE) | {S.CANCELLED} == set(S.values)
    assert ORDER_WORKFLOW.allowed(S.PLACED, Actor.BUYER) == [OrderAction.CANCEL]
    assert set(ORDER_WORKFLOW.allowed(S.PLACED, Actor.SUPPLIER)) == {OrderAction.CONFIRM, OrderAction.CANCEL}
    assert set(ORDER_WORKFLOW.allowed(S.CONFIRMED, Actor.SUPPLIER)) == {OrderAction.SHIP, OrderAction.CANCEL}
    assert ORDER_WORKFLOW.allowed(S.CONFIRMED, Actor.BUYER) == []
    assert ORDER_WORKFLOW.allowed(S.SHIPPED, Actor.BUYER) == [OrderAction.RECEIVE]
    assert ORDER_WORKFLOW.allowed(S.SHIPPED, Actor.SYSTEM) == [OrderAction.RECEIVE]
    assert ORDER_WORKFLOW.allowed(S.RECEIVED, Actor.SYSTEM) == [OrderAction.COMPLETE]
    assert (
        ORDER_WORKFLOW.allowed(S.COMPLETED, Actor.BUYER)
        == ORDER_WORKFLOW.allowed(S.CANCELLED, Actor.SUPPLIER)
        == []
    )


def test_the_whole_path_is_recorded_and_each_side_hears_of_the_other(shop):
    order = shop.order()
    buyer = order.placed_by
    order = services.order_transition(order=order, action=OrderAction.CONFIRM, by=shop.user2)
    assert (order.status, order.confirmed_at is not None) == (S.CONFIRMED, True)
    order = services.order_transition(order=order, action=OrderAction.SHIP, by=shop.user2, **SHIP)
    assert (order.status, order.carrier, order.tracking_number) == (S.SHIPPED, "顺丰速运", "SF1234567890")
    services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=buyer)
    order = services.order_transition(order=order, action=OrderAction.RECEIVE, by=buyer)
    # Paid and received: completed at once, by the platform.
    assert order.status == S.COMPLETED
    assert order.received_at <= order.completed_at
    assert _events(order) == [
        ("place", "", "placed", buyer.pk, "buyer", ""),
        ("confirm", "placed", "confirmed", shop.user2.pk, "supplier", ""),
        ("ship", "confirmed", "shipped", shop.user2.pk, "supplier", ""),
        ("payment_received", "shipped", "shipped", buyer.pk, "buyer", ""),
        ("receive", "shipped", "received", buyer.pk, "buyer", ""),
        ("complete", "received", "completed", None, "system", ""),
    ]
    assert OrderEvent.objects.get(order=order, action="ship").details == SHIP
    n = order.number
    assert _inbox(buyer) == [
        f"Order {n} confirmed by the supplier",
        f"Order {n} shipped",
        f"Order {n} completed",
    ]
    assert _inbox(shop.user2) == [f"Order {n} received", f"Order {n} completed"]
    shipped = Notification.objects.get(user=buyer, subject=f"Order {n} shipped")
    assert "Carrier: 顺丰速运, tracking number: SF1234567890" in shipped.body
    assert shipped.link == f"/orders/{n}/"
    assert _inbox(shop.user) == []  # the other supplier is not concerned


def test_an_unpaid_order_stays_received_until_it_is_paid(shop):
    order = advance(shop, shop.order(), "received")
    assert order.status == S.RECEIVED and order.completed_at is None
    with pytest.raises(PermissionDenied):  # nobody completes by hand
        services.order_transition(order=order, action=OrderAction.COMPLETE, by=order.placed_by)
    with pytest.raises(ValidationError) as info:
        services.order_transition(order=order, action=OrderAction.COMPLETE, by=None)
    assert info.value.messages == ["An order is completed only once it is paid."]
    services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=order.placed_by)
    order.refresh_from_db()
    assert order.status == S.COMPLETED


def _refused(order, action, by, message, **details):
    before = (order.status, OrderEvent.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as info:
        services.order_transition(order=order, action=action, by=by, **details)
    order.refresh_from_db()
    assert (order.status, OrderEvent.objects.count(), Notification.objects.count()) == before
    assert info.value.messages == [message]


def test_shipping_before_confirmation_is_refused(shop):
    order = shop.order()
    _refused(
        order,
        OrderAction.SHIP,
        shop.user2,
        "An order can be shipped only after the supplier confirms it.",
        **SHIP,
    )


def test_steps_out_of_turn_are_refused_with_what_is_wrong(shop):
    order = shop.order()
    buyer = order.placed_by
    _refused(order, OrderAction.RECEIVE, buyer, "An order can be received only after the supplier ships it.")
    order = advance(shop, order, "confirmed")
    _refused(
        order,
        OrderAction.CANCEL,
        buyer,
        "The supplier has already confirmed this order, so it can no longer be cancelled here: "
        "ask the supplier to cancel it.",
    )
    _refused(order, OrderAction.CONFIRM, shop.user2, "This order is no longer waiting for confirmation.")
    order = advance(shop, order, "shipped")
    _refused(
        order,
        OrderAction.CANCEL,
        shop.user2,
        "A shipped order cannot be cancelled; once it arrives, a refund or return can be requested.",
        reason="缺货",
    )
    _refused(order, OrderAction.SHIP, shop.user2, "This order has already been shipped.", **SHIP)
    order = advance(shop, order, "received")
    _refused(order, OrderAction.RECEIVE, buyer, "This order has already been received.")
    _refused(
        order,
        OrderAction.CANCEL,
        buyer,
        "A shipped order cannot be cancelled; once it arrives, a refund or return can be requested.",
    )


def test_nothing_happens_to_a_cancelled_order(shop):
    order = shop.order()
    order = services.order_transition(order=order, action=OrderAction.CANCEL, by=order.placed_by)
    for action, actor in ((OrderAction.CANCEL, order.placed_by), (OrderAction.CONFIRM, shop.user2)):
        _refused(order, action, actor, "This order has been cancelled.")
    assert StockMovement.objects.filter(reference=order.number, reason="order_cancelled").count() == 1


def test_shipping_needs_a_carrier_and_a_tracking_number(shop):
    order = advance(shop, shop.order(), "confirmed")
    with pytest.raises(ValidationError) as info:
        services.order_transition(
            order=order, action=OrderAction.SHIP, by=shop.user2, carrier=" ", tracking_number=""
        )
    assert info.value.message_dict == {
        "carrier": ["Enter the carrier."],
        "tracking_number": ["Enter the tracking number."],
    }
    order.refresh_from_db()
    assert (order.status, order.carrier, order.shipped_at) == (S.CONFIRMED, "", None)


def test_only_the_parties_act_and_each_only_its_own_steps(shop):
    order = shop.order()
    other_buyer, other_supplier = shop.buyer(), SupplierUserFactory()
    for user in (other_buyer, other_supplier, shop.user, shop.ops):
        with pytest.raises(PermissionDenied):
            services.order_transition(order=order, action=OrderAction.CONFIRM, by=user)
    with pytest.raises(PermissionDenied):  # a buyer does not confirm its own order
        services.order_transition(order=order, action=OrderAction.CONFIRM, by=order.placed_by)
    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="teleport", by=shop.user2)
    order.refresh_from_db()
    assert order.status == S.PLACED and OrderEvent.objects.filter(order=order).count() == 1


def test_any_buyer_of_the_unit_may_act_on_its_orders(shop):
    order = shop.order()
    colleague = shop.buyer(buyer_unit=order.buyer_unit)
    order = services.order_transition(order=order, action=OrderAction.CANCEL, by=colleague)
    assert order.status == S.CANCELLED


def test_a_supplier_cancels_only_with_a_reason_and_the_stock_comes_back(shop):
    order = advance(shop, shop.order(quantity=4, stock=10), "confirmed")
    line = order.lines.get()
    assert Sku.objects.get(pk=line.sku_id).stock == 6
    with pytest.raises(ValidationError) as info:
        services.order_transition(order=order, action=OrderAction.CANCEL, by=shop.user2, reason="  ")
    assert info.value.message_dict == {"reason": ["Give a reason: the buyer will read it."]}
    assert Sku.objects.get(pk=line.sku_id).stock == 6
    order = services.order_transition(
        order=order, action=OrderAction.CANCEL, by=shop.user2, reason="产地暴雨，无法发货"
    )
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "产地暴雨，无法发货")
    assert order.cancelled_at is not None
    assert Sku.objects.get(pk=line.sku_id).stock == 10
    product = Product.objects.get(pk=line.product_id)
    assert (product.total_stock, product.sales_count) == (10, 0)
    assert list(
        StockMovement.objects.filter(reference=order.number).values_list(
            "change", "stock_after", "reason", "actor_id"
        )
    ) == [
        (-4, 6, "order_placed", order.placed_by_id),
        (4, 10, "order_cancelled", shop.user2.pk),
    ]
    assert Payment.objects.get(order=order).status == PaymentStatus.CANCELLED
    assert _events(order)[-1] == (
        "cancel",
        "confirmed",
        "cancelled",
        shop.user2.pk,
        "supplier",
        "产地暴雨，无法发货",
    )
    note = Notification.objects.get(user=order.placed_by, subject=f"Order {order.number} cancelled")
    assert "Reason: 产地暴雨，无法发货" in note.body


def test_a_buyer_cancelling_a_paid_order_is_refunded_in_full(shop):
    order = shop.order()
    payment = services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=order.placed_by)
    services.order_transition(order=order, action=OrderAction.CANCEL, by=order.placed_by)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount, payment.amount_due) == (
        PaymentStatus.REFUNDED,
        D("99.80"),
        0,
    )
    refund = PaymentRefund.objects.get(payment=payment)
    assert refund.amount == D("99.80") and refund.provider_reference.startswith("SBX-R-")
    assert _events(order)[-1][:3] == ("refunded", "cancelled", "cancelled")
    assert _inbox(shop.user2) == [f"Order {order.number} cancelled"]


# --- Automatic receipt ----------------------------------------------------------------------------


SHIPPED_AT = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=datetime.UTC)


def test_shipped_orders_are_received_automatically_after_the_configured_days(shop, settings):
    settings.ORDER_AUTO_RECEIPT_DAYS = 10
    with time_machine.travel(SHIPPED_AT, tick=False):
        waiting = advance(shop, shop.order(), "shipped")
        confirmed_by_buyer = advance(shop, shop.order(), "received")
        paid = advance(shop, shop.order(), "shipped", pay=True)
        not_shipped = advance(shop, shop.order(), "confirmed")
    with time_machine.travel(SHIPPED_AT + datetime.timedelta(days=9, hours=23), tick=False):
        assert services.order_auto_receive() == 0
    with time_machine.travel(SHIPPED_AT + datetime.timedelta(days=10, minutes=1), tick=False):
        assert auto_receive_orders.delay().get() == 2
        assert auto_receive_orders.delay().get() == 0  # a second run changes nothing
        now = timezone.now()
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: S.RECEIVED,
        confirmed_by_buyer.pk: S.RECEIVED,
        paid.pk: S.COMPLETED,
        not_shipped.pk: S.CONFIRMED,
    }
    waiting.refresh_from_db()
    assert waiting.received_at == now
    assert _events(waiting)[-1] == (
        "receive",
        "shipped",
        "received",
        None,
        "system",
        "Received automatically 10 days after shipping.",
    )
    assert OrderEvent.objects.filter(action="receive", actor__isnull=True).count() == 2
    # Both sides hear of it.
    assert _inbox(waiting.placed_by)[-1] == f"Order {waiting.number} received"
    assert f"Order {waiting.number} received" in _inbox(shop.user2)


def test_auto_receipt_works_in_batches(shop, settings):
    settings.ORDER_AUTO_RECEIPT_DAYS = 1
    with time_machine.travel(SHIPPED_AT, tick=False):
        orders = [advance(shop, shop.order(), "shipped") for _ in range(3)]
    with time_machine.travel(SHIPPED_AT + datetime.timedelta(days=2), tick=False):
        assert services.order_auto_receive(batch=2) == 2
        assert services.order_auto_receive(batch=2) == 1
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {
        S.RECEIVED
    }
