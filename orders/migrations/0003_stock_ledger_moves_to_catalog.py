"""The stock ledger moves to the catalogue, its one owner (catalog.StockMovement): every row is copied,
in its original order, with the order's number as its reference, before the old table is dropped."""

from django.db import migrations

BATCH = 5000


def copy_ledger(apps, schema_editor):
    Old = apps.get_model("orders", "StockMovement")
    New = apps.get_model("catalog", "StockMovement")
    rows = Old.objects.order_by("id").values(
        "sku_id", "change", "stock_after", "reason", "order__number", "actor_id", "note", "created_at"
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(
            New(
                sku_id=row["sku_id"],
                change=row["change"],
                stock_after=row["stock_after"],
                reason=row["reason"],
                reference=row["order__number"] or "",
                actor_id=row["actor_id"],
                note=row["note"],
                created_at=row["created_at"],
            )
        )
        if len(batch) == BATCH:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    New = apps.get_model("catalog", "StockMovement")
    Old = apps.get_model("orders", "StockMovement")
    Order = apps.get_model("orders", "Order")
    orders = dict(Order.objects.values_list("number", "id"))
    Old.objects.bulk_create(
        Old(
            sku_id=row.sku_id,
            change=row.change,
            stock_after=row.stock_after,
            reason=row.reason,
            order_id=orders.get(row.reference),
            actor_id=row.actor_id,
            note=row.note,
            created_at=row.created_at,
        )
        for row in New.objects.order_by("id")
    )
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_events_share_core_transition_event"),
        ("catalog", "0005_stock_ledger"),
    ]

    operations = [
        migrations.RunPython(copy_ledger, copy_back),
        migrations.DeleteModel(name="StockMovement"),
    ]
