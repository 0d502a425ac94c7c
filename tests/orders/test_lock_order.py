"""Every order service takes its locks in the one order orders.locks declares (cart, products, SKUs,
order, after-sales request, payment, review). Each use case is run inside ``locks.atomic()`` so the
test reads the locks it took; breaking the order raises ``LockOrderError`` on SQLite as on PostgreSQL."""

import pytest

from orders import locks, services
from orders.locks import LockOrderError, LockRecord, Rank
from orders.models import Payment, PaymentStatus
from orders.workflow import OrderAction
from tests.orders.conftest import D, advance, completed

pytestmark = pytest.mark.django_db


def _ranks(record: LockRecord) -> list[Rank]:
    """The ranks in the order they were first taken."""
    return record.ranks


def _in_order(record: LockRecord) -> bool:
    return record.ranks == sorted(record.ranks)


def test_a_lock_of_a_lower_rank_after_a_higher_one_is_refused(shop):
    order = shop.order()
    with pytest.raises(LockOrderError), locks.atomic():
        locks.lock_payment(locks.lock_order(order))
        locks.lock_for_checkout(order.lines.values_list("sku_id", flat=True))


def test_re_reading_a_row_already_held_is_allowed(shop):
    order = shop.order()
    with locks.atomic() as record:
        locks.lock_order(order)
        locks.lock_payment(order)
        locks.lock_order(order)
    assert _ranks(record) == [Rank.ORDER, Rank.PAYMENT]


def test_checkout_locks_the_cart_then_products_then_skus(shop):
    buyer = shop.buyer()
    services.cart_add(user=buyer, sku=shop.sku(), quantity=1)
    services.cart_add(user=buyer, sku=shop.sku(supplier=1), quantity=1)
    with locks.atomic() as record:
        orders = shop.checkout(buyer)
    assert len(orders) == 2
    assert _ranks(record) == [Rank.CART, Rank.PRODUCT, Rank.PRODUCT, Rank.SKU, Rank.SKU]


@pytest.mark.parametrize("who", ["buyer", "supplier"])
def test_a_cancellation_locks_stock_before_the_order_and_the_payment_last(shop, who):
    order = shop.order(quantity=3, stock=10)
    by, reason = (order.placed_by, "") if who == "buyer" else (shop.user2, "产地暴雨")
    with locks.atomic() as record:
        services.order_transition(order=order, action=OrderAction.CANCEL, by=by, reason=reason)
    assert _ranks(record) == [Rank.PRODUCT, Rank.SKU, Rank.ORDER, Rank.PAYMENT]
    line = order.lines.get()
    assert line.sku.stock == 10  # the stock came back
    assert Payment.objects.get(order=order).status == PaymentStatus.CANCELLED  # the payment was voided


def test_cancelling_a_paid_order_refunds_under_the_same_order(shop):
    order = shop.order()
    services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=order.placed_by)
    with locks.atomic() as record:
        services.order_transition(order=order, action=OrderAction.CANCEL, by=order.placed_by)
    assert _in_order(record) and record.ranks[-1] == Rank.PAYMENT
    assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED


def test_an_after_sales_grant_locks_order_request_payment(shop):
    order = completed(shop)
    request = services.after_sale_open(
        order=order, by=order.placed_by, kind="refund", reason="三箱脐橙霉变", amount=D("49.90")
    )
    with locks.atomic() as record:
        services.after_sale_respond(request=request, by=shop.user2, accept=True)
    assert _ranks(record) == [Rank.ORDER, Rank.AFTER_SALE, Rank.PAYMENT]
    assert Payment.objects.get(order=order).refunded_amount == D("49.90")


def test_paying_locks_order_then_payment_and_completes_a_received_order(shop):
    order = advance(shop, shop.order(), "received")
    with locks.atomic() as record:
        services.sandbox_card_pay(payment=Payment.objects.get(order=order), by=order.placed_by)
    assert _ranks(record) == [Rank.ORDER, Rank.PAYMENT]
    order.refresh_from_db()
    assert order.status == "completed"


def test_a_confirmed_transfer_locks_order_then_payment(shop):
    order = shop.order(method="bank_transfer")
    with locks.atomic() as record:
        services.payment_confirm_transfer(
            payment=Payment.objects.get(order=order), by=shop.service, reference="B-1"
        )
    assert _ranks(record) == [Rank.ORDER, Rank.PAYMENT]
