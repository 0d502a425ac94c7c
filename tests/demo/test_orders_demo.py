"""seed_demo's year of orders: idempotent, consistent, deterministic, in bulk."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from buyers.models import BuyerUnit, Canteen, ReservedShareFiling
from demo import orders as orders_demo
from orders.models import Checkout, Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentStatus
from orders.reserved_share import overview

pytestmark = pytest.mark.django_db


def _orders_snapshot():
    return sorted(Order.objects.values_list("number", "buyer_unit__name", "status", "total", "placed_at"))


def test_seed_demo_makes_a_year_of_consistent_orders_once():
    # given / when: the demo, seeded twice (counting the orders seeder's queries; its speed is `make bench`'s)
    queries = []
    original = orders_demo.seed

    def counted(ctx):
        with CaptureQueriesContext(connection) as captured:
            original(ctx)
        queries.append(len(captured))

    with mock.patch.object(orders_demo, "seed", counted):
        call_command("seed_demo", "--suppliers", "2", "--products", "12")
    first = _orders_snapshot()
    call_command("seed_demo", "--suppliers", "2", "--products", "12")

    # then: the second run added nothing
    assert _orders_snapshot() == first
    orders = Order.objects.all()
    assert orders.count() > 300
    # the year of orders is written in bulk: row by row would take at least four queries an order (order,
    # lines, payment, history); in batches it is one query for several orders (173 for 699 on SQLite)
    assert queries[0] < orders.count() / 3
    assert Checkout.objects.filter(idempotency_key__startswith="demo-").count() == orders.count()
    # totals are the sums of their lines, two places (summed here: SQLite sums decimals as floats)
    sums: dict[int, Decimal] = {}
    for order_id, line_total in OrderLine.objects.values_list("order_id", "line_total"):
        sums[order_id] = sums.get(order_id, Decimal("0.00")) + line_total
    assert {o.pk: o.total for o in orders} == sums
    assert all(o.total == o.goods_total and o.total.as_tuple().exponent == -2 for o in orders)
    for line in OrderLine.objects.all()[:200]:
        assert line.line_total == (line.price * line.quantity).quantize(Decimal("0.01"))
    # statuses and payments agree
    statuses = set(orders.values_list("status", flat=True))
    assert {OrderStatus.COMPLETED, OrderStatus.CANCELLED} <= statuses
    assert len(statuses) >= 4
    completed = orders.filter(status=OrderStatus.COMPLETED)
    assert not completed.filter(Q(completed_at__isnull=True) | Q(received_at__isnull=True)).exists()
    assert Payment.objects.filter(order__status=OrderStatus.COMPLETED, status=PaymentStatus.PAID).count() == (
        completed.count()
    )
    assert (
        not Payment.objects.filter(order__status=OrderStatus.CANCELLED)
        .exclude(status=PaymentStatus.CANCELLED)
        .exists()
    )
    # every stage has its history entry: completed orders have place, confirm, ship, receive, complete
    per_order = completed.annotate(n=Count("events", filter=~Q(events__action="payment_received")))
    assert set(per_order.values_list("n", flat=True)) == {5}
    assert (
        OrderEvent.objects.filter(action="payment_received").count()
        == Payment.objects.filter(status=PaymentStatus.PAID).count()
    )
    # timestamps follow the lifecycle
    for order in completed[:200]:
        assert (
            order.placed_at < order.confirmed_at < order.shipped_at < order.received_at <= order.completed_at
        )


def test_seed_demo_files_reserved_shares_for_most_units():
    call_command("seed_demo", "--suppliers", "2", "--products", "12")
    union = BuyerUnit.objects.get(name="武汉市总工会")
    main = BuyerUnit.objects.get(name="武汉市机关事务管理局")
    assert union.parent_unit == main
    filings = {f.buyer_unit.name: f for f in ReservedShareFiling.objects.select_related("buyer_unit")}
    assert "浙江省财政厅" not in filings  # one unit has not filed
    assert filings["武汉市财政局"].canteen == Canteen.SHARED
    assert filings["武汉市财政局"].host_unit == main
    assert filings["武汉市第二中学"].canteen == Canteen.OWN
    year = next(iter(filings.values())).year
    data = overview(year)
    assert [r.unit.name for r in data.not_filed] == ["浙江省财政厅"]
    assert "武汉市第二中学" in [r.unit.name for r in data.behind_pace]


def test_no_orders_with_orders_months_zero():
    call_command("seed_demo", "--suppliers", "1", "--products", "4", "--orders-months", "0")
    assert not Order.objects.exists()
