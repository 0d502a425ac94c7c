"""What lists and search read from a product, kept in step with its SKUs, images and supplier."""

from collections.abc import Iterable

from django.db.models import Min
from django.utils import timezone

from catalog import search
from catalog.models import Product, ProductStatus
from catalog.stock import stock_totals
from suppliers.models import Supplier, SupplierStatus


def product_refresh_summary(product: Product) -> None:
    """Recompute what lists and search use: lowest prices, stock, main thumbnail, search index, visibility."""
    summary = product.skus.filter(is_active=True).aggregate(
        min_price=Min("price"), min_unit_price=Min("unit_price")
    )
    main = product.images.filter(is_main=True).values_list("thumbnail", flat=True).first() or ""
    product.min_price = summary["min_price"]
    product.min_unit_price = summary["min_unit_price"]
    product.total_stock = stock_totals([product.pk]).get(product.pk, 0)
    product.main_thumbnail = main
    product.is_visible = (
        product.status == ProductStatus.ON_SALE
        and product.supplier.status == SupplierStatus.ACTIVE
        and product.frozen_at is None
    )
    fields = search.product_search_fields(product)
    for field, value in fields.items():
        setattr(product, field, value)
    product.save(
        update_fields=[
            "min_price",
            "min_unit_price",
            "total_stock",
            "main_thumbnail",
            "is_visible",
            "updated_at",
            *fields,
        ]
    )


def supplier_listing_visibility_sync(*, supplier_id: int) -> int:
    """Show or hide a supplier's on-sale products after its status changed (connected to
    suppliers.hooks.SUPPLIER_STATUS_CHANGED, so it runs inside the transaction that changed the
    supplier: buyers never see a suspended supplier's products)."""
    active = Supplier.objects.filter(pk=supplier_id, status=SupplierStatus.ACTIVE).exists()
    on_sale = Product.objects.filter(supplier_id=supplier_id, status=ProductStatus.ON_SALE)
    shown = on_sale.filter(frozen_at__isnull=True).exclude(is_visible=active).update(is_visible=active)
    return shown + on_sale.filter(frozen_at__isnull=False, is_visible=True).update(is_visible=False)


def listings_freeze(*, product_ids: Iterable[int], reason: str) -> int:
    """Hide these listings from buyers at once, whatever their status, with the reason their supplier
    reads (spot checks call this). Listings already frozen keep their first date and reason. Returns how
    many were frozen now."""
    return Product.objects.filter(pk__in=list(product_ids), frozen_at__isnull=True).update(
        frozen_at=timezone.now(), frozen_reason=reason, is_visible=False
    )


def listings_unfreeze(*, product_ids: Iterable[int]) -> int:
    """Lift the freeze: each listing is shown again if it is on sale from an active supplier. Returns how
    many were unfrozen."""
    frozen = Product.objects.filter(pk__in=list(product_ids), frozen_at__isnull=False)
    ids = list(frozen.values_list("pk", flat=True))
    if not ids:
        return 0
    Product.objects.filter(pk__in=ids).update(frozen_at=None, frozen_reason="")
    Product.objects.filter(
        pk__in=ids, status=ProductStatus.ON_SALE, supplier__status=SupplierStatus.ACTIVE
    ).update(is_visible=True)
    return len(ids)
