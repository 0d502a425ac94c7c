"""Real concurrency on PostgreSQL: many buyers at the same moment never oversell, and a checkout
that cannot be served leaves nothing behind."""

import random
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import translation

from catalog.models import Product, Sku, StockMovement
from orders import services
from orders.models import Checkout, InvoiceType, Order, Payment, PaymentMethod
from tests.factories import BuyerFactory
from tests.orders.conftest import Shop
from tests.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50


@pytest.fixture
def shop(migrated_data):
    """Committed rows, visible to every thread's connection."""
    require_postgres()
    return Shop()


def _buyers_with(shop, cart: list[tuple[Sku, int]], *, shuffle: bool = False) -> list:
    buyers = []
    rng = random.Random(7)
    for _ in range(BUYERS):
        buyer = BuyerFactory()
        shop.address(buyer)
        lines = list(cart)
        if shuffle:
            rng.shuffle(lines)  # different cart orders: the lock order is fixed by the service, not the cart
        for sku, quantity in lines:
            services.cart_add(user=buyer, sku=sku, quantity=quantity)
        buyers.append(buyer)
    return buyers


def _all_at_once(buyers) -> tuple[list, list[str], list[BaseException]]:
    """Every buyer places its cart at the same moment, each on its own connection."""
    previews = {b.pk: services.checkout_preview(user=b).fingerprint for b in buyers}
    barrier = threading.Barrier(len(buyers))
    won, refused, crashed = [], [], []
    lock = threading.Lock()

    def place(buyer):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # each thread starts in the default language
                orders = services.place_orders(
                    user=buyer,
                    address=buyer.buyer_unit.addresses.get(),
                    invoice_type=InvoiceType.ORDINARY,
                    note="",
                    fingerprint=previews[buyer.pk],
                    idempotency_key=uuid.uuid4().hex,
                    payment_method=PaymentMethod.OFFICIAL_CARD,
                )
            with lock:
                won.append(orders)
        except ValidationError as exc:
            with translation.override("en"), lock:
                refused.append(" ".join(exc.messages))
        except BaseException as exc:  # any other outcome fails the test
            with lock:
                crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return won, refused, crashed


def test_fifty_buyers_for_the_last_ten_units_buy_exactly_ten(shop):
    sku = shop.sku(stock=10, price="49.90")
    buyers = _buyers_with(shop, [(sku, 1)])

    won, refused, crashed = _all_at_once(buyers)

    assert crashed == []
    assert len(won) == 10 and all(len(orders) == 1 for orders in won)
    assert refused == ["“秭归脐橙 当季现摘 5kg/箱” is sold out."] * 40
    sku.refresh_from_db()
    assert sku.stock == 0
    assert Order.objects.count() == Payment.objects.count() == Checkout.objects.count() == 10
    assert StockMovement.objects.filter(sku=sku).aggregate(total=Sum("change"))["total"] == -10
    assert sorted(StockMovement.objects.filter(sku=sku).values_list("stock_after", flat=True)) == list(
        range(10)
    )
    product = Product.objects.get(pk=sku.product_id)
    assert (product.total_stock, product.sales_count) == (0, 10)
    # Ten buyers still have their item; the winners' carts are empty.
    winners = {orders[0].placed_by_id for orders in won}
    assert len(winners) == 10
    # And stock below zero is impossible whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(stock=-1)


def test_multi_line_carts_are_all_or_nothing_under_contention(shop):
    scarce = shop.sku(stock=10, price="49.90", supplier=1)
    plenty = shop.sku(stock=1000, price="8.00", spec="250g/袋")
    buyers = _buyers_with(shop, [(scarce, 3), (plenty, 2)], shuffle=True)

    won, refused, crashed = _all_at_once(buyers)

    assert crashed == []
    assert len(won) == 3  # 3 × 3 = 9 of the 10 scarce units
    assert set(refused) == {"Only 1 left of “秭归脐橙 当季现摘 5kg/箱”."}
    assert len(refused) == 47
    scarce.refresh_from_db()
    plenty.refresh_from_db()
    assert (scarce.stock, plenty.stock) == (1, 1000 - 3 * 2)  # no partial checkout took the plentiful SKU
    for orders in won:
        assert sorted(o.supplier_id for o in orders) == sorted([shop.supplier.pk, shop.supplier2.pk])
    assert Order.objects.count() == 6 and Checkout.objects.count() == 3
    assert StockMovement.objects.filter(sku=scarce).aggregate(total=Sum("change"))["total"] == -9
    assert StockMovement.objects.filter(sku=plenty).aggregate(total=Sum("change"))["total"] == -6
