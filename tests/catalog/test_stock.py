"""catalog.stock: the one owner of stock and its ledger. Orders take and return stock through it;
a product's stock total is computed in one place."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog import services, stock
from catalog.models import Product, StockMovement, StockReason
from tests.orders.conftest import Shop


def test_take_refuses_more_than_there_is_and_changes_nothing(listings):
    product = listings.product()
    sku = product.skus.order_by("pk").first()
    assert stock.take(sku=sku, quantity=101) is False
    sku.refresh_from_db()
    assert sku.stock == 100
    assert stock.take(sku=sku, quantity=100) is True
    assert sku.stock == 0
    sku.refresh_from_db()
    assert sku.stock == 0


def test_put_back_and_the_ledger_rows_follow_the_sku(listings):
    product = listings.product()
    sku = product.skus.order_by("pk").first()
    assert stock.take(sku=sku, quantity=3)
    stock.put_back(sku=sku, quantity=1)
    stock.record(
        [
            stock.movement(sku, change=-3, reason=StockReason.ORDER_PLACED, reference="FS1"),
            stock.movement(sku, change=0, reason=StockReason.SUPPLIER_ADJUSTMENT),  # no change: no row
        ]
    )
    sku.refresh_from_db()
    assert sku.stock == 98
    assert list(StockMovement.objects.values_list("change", "stock_after", "reference")) == [(-3, 98, "FS1")]


def test_product_totals_count_offered_skus_only_and_sales_never_go_negative(listings):
    product = listings.product()  # two SKUs: 100 and 50
    _first, second = product.skus.order_by("pk")
    second.is_active = False
    second.save(update_fields=["is_active"])
    stock.refresh_product_totals([product.pk], {product.pk: -5})
    product = Product.objects.get(pk=product.pk)
    assert (product.total_stock, product.sales_count) == (100, 0)
    assert stock.stock_totals([product.pk]) == {product.pk: 100}


def test_moving_the_ledger_to_the_catalogue_keeps_every_row(migrated_data):
    """orders.0003 copies the old ledger before dropping it: migrating back restores every row with its
    order, and forward again gives the same rows, the order's number as reference."""
    shop = Shop()
    order = shop.order(quantity=2)
    sku = order.lines.get().sku
    services.sku_update(sku=sku, by=shop.user2, stock=40)  # a supplier adjustment: no reference
    columns = ("sku_id", "change", "stock_after", "reason", "reference", "actor_id", "note", "created_at")
    rows = list(StockMovement.objects.order_by("id").values_list(*columns))
    assert [r[4] for r in rows] == [order.number, ""]

    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0002_events_share_core_transition_event")])
    old = executor.loader.project_state(
        [("orders", "0002_events_share_core_transition_event")]
    ).apps.get_model("orders", "StockMovement")
    assert list(old.objects.order_by("id").values_list("order_id", "change")) == [(order.pk, -2), (None, -58)]
    assert not StockMovement.objects.exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(StockMovement.objects.order_by("id").values_list(*columns)) == rows
