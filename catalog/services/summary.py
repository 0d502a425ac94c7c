"""What lists and search read from a product, kept in step with its SKUs, images and supplier."""

from django.db.models import Min

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
        product.status == ProductStatus.ON_SALE and product.supplier.status == SupplierStatus.ACTIVE
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
    return (
        Product.objects.filter(supplier_id=supplier_id, status=ProductStatus.ON_SALE)
        .exclude(is_visible=active)
        .update(is_visible=active)
    )
