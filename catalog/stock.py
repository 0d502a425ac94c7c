"""Stock and its ledger, with one owner: the catalogue (as django-oscar's partner owns stock).

Every change of a SKU's stock goes through here and leaves a ``StockMovement`` with its reason and a
reference (the order number when an order takes or returns stock). Orders take stock with ``take`` and
give it back with ``put_back``; the product form, quick edits and the CSV record theirs with
``record_change``. Callers hold the locks — products, then SKUs, in id order (``orders.locks`` for
orders, ``catalog.services`` for the catalogue's own writes) — and ``refresh_product_totals`` keeps
each product's stock total, the one place it is computed.
"""

from collections.abc import Iterable, Mapping

from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from catalog.models import Product, Sku, StockMovement, StockReason
from core.numbers import INT32_MAX


def take(*, sku: Sku, quantity: int) -> bool:
    """Take ``quantity`` off ``sku`` if it has that much; False (and nothing changed) if not.

    The conditional UPDATE keeps stock from going below zero even if a caller forgot the lock, and the
    database constraint backs both. Call holding the SKU's lock; ``sku.stock`` follows the row.
    """
    if not Sku.objects.filter(pk=sku.pk, stock__gte=quantity).update(stock=F("stock") - quantity):
        return False
    sku.stock -= quantity
    return True


def put_back(*, sku: Sku, quantity: int) -> None:
    """Return ``quantity`` to ``sku`` (a cancelled order's). Call holding the SKU's lock."""
    Sku.objects.filter(pk=sku.pk).update(stock=F("stock") + quantity)
    sku.stock += quantity


def movement(
    sku: Sku, *, change: int, reason: str, reference: str = "", by=None, note: str = "", at=None
) -> StockMovement:
    """A ledger row for a change already applied to ``sku`` (unsaved: ``record`` writes them in one go)."""
    return StockMovement(
        sku=sku,
        change=change,
        stock_after=sku.stock,
        reason=reason,
        reference=reference,
        actor=by,
        note=note,
        created_at=at or timezone.now(),
    )


def record(movements: Iterable[StockMovement]) -> list[StockMovement]:
    """Write ledger rows (append-only)."""
    return StockMovement.objects.bulk_create([m for m in movements if m.change])


def record_change(
    sku: Sku, old_stock: int, *, by, reason: str = StockReason.SUPPLIER_ADJUSTMENT, note: str = ""
) -> None:
    """Keep a stock level the supplier set (form, quick edit, CSV) in the ledger, if it changed."""
    if sku.stock != old_stock:
        record([movement(sku, change=sku.stock - old_stock, reason=reason, by=by, note=note)])


def stock_totals(product_ids: Iterable[int]) -> dict[int, int]:
    """Each product's stock: the sum over the SKUs it still offers, at most what Product.total_stock
    holds (each SKU may hold up to INT32_MAX, so their sum may not fit)."""
    rows = (
        Sku.objects.filter(product_id__in=set(product_ids), is_active=True)
        .values("product_id")
        .annotate(total=Sum("stock"))
    )
    return {row["product_id"]: min(row["total"] or 0, INT32_MAX) for row in rows}


def refresh_product_totals(product_ids: Iterable[int], sold: Mapping[int, int] | None = None) -> None:
    """After stock changed under the products' locks: each product's stock total and units sold
    (``sold`` is negative for returned units)."""
    product_ids = sorted(set(product_ids))
    totals = stock_totals(product_ids)
    sold = sold or {}
    for product_id in product_ids:
        Product.objects.filter(pk=product_id).update(
            total_stock=totals.get(product_id, 0),
            sales_count=Greatest(F("sales_count") + sold.get(product_id, 0), 0),
        )
