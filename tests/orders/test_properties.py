"""Properties of checkout over random carts (hypothesis): totals are the sums of their lines, every
amount has two decimal places, and stock goes down by exactly what was ordered."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import services as catalog_services
from catalog.models import Sku, StockMovement
from orders import services
from orders.models import Order

POOL = 6  # SKUs: three per supplier

cents = st.integers(min_value=1, max_value=99_999_999)  # ¥0.01 … ¥999,999.99
carts = st.lists(
    st.tuples(st.integers(0, POOL - 1), st.integers(1, 50), cents, st.integers(0, 5)),
    min_size=1,
    max_size=POOL,
    unique_by=lambda row: row[0],
)


def _two_places(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


@pytest.fixture
def pool(shop):
    skus = [shop.sku(supplier=1 + i % 2, spec=f"{i + 1}kg/箱") for i in range(POOL)]
    return shop, shop.buyer(), skus


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cart=carts)
def test_order_totals_are_the_sums_of_their_lines_and_stock_drops_by_the_quantities(pool, cart):
    shop, buyer, skus = pool
    with transaction.atomic():
        expected: dict[int, tuple[Decimal, int, int]] = {}
        for index, quantity, price_cents, spare in cart:
            sku = skus[index]
            owner = shop.user if sku.product.supplier_id == shop.supplier.pk else shop.user2
            price = Decimal(price_cents).scaleb(-2)
            catalog_services.sku_update(sku=sku, by=owner, price=price, stock=quantity + spare)
            services.cart_add(user=buyer, sku=sku, quantity=quantity)
            expected[sku.pk] = (price, quantity, quantity + spare)

        orders = shop.checkout(buyer)

        suppliers = {Sku.objects.get(pk=pk).product.supplier_id for pk in expected}
        assert len(orders) == len(suppliers) == len({o.supplier_id for o in orders})
        for order in [*orders, *Order.objects.filter(pk__in=[o.pk for o in orders])]:
            lines = list(order.lines.all())
            assert order.goods_total == sum((line.line_total for line in lines), Decimal("0.00"))
            assert order.total == order.goods_total + order.shipping_fee
            amounts = [order.goods_total, order.shipping_fee, order.total]
            for line in lines:
                price, quantity, _stock = expected[line.sku_id]
                assert (line.price, line.quantity) == (price, quantity)
                assert line.line_total == price * quantity
                amounts += [line.price, line.line_total]
            assert all(_two_places(a) for a in amounts), amounts
            assert order.payments.get().amount == order.total
        grand_total = sum((o.total for o in orders), Decimal("0.00"))
        assert grand_total == sum((p * q for p, q, _s in expected.values()), Decimal("0.00"))
        for sku_id, (_price, quantity, stock_before) in expected.items():
            assert Sku.objects.get(pk=sku_id).stock == stock_before - quantity
            assert list(
                StockMovement.objects.filter(sku_id=sku_id)
                .exclude(reference="")
                .values_list("change", "stock_after")
            ) == [(-quantity, stock_before - quantity)]
        transaction.set_rollback(True)  # the next example starts from the same catalogue
