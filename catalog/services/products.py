"""A product and its SKUs, created or changed in one go from the product form or the API."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.hooks import SKU_PRICES_CHANGED
from catalog.models import Product, ProductStatus, Sku
from catalog.selectors import top_category_id
from catalog.services._common import lock_product, require_supplier
from catalog.services.cleaning import CONTENT_FIELDS, SKU_FIELDS, clean_content, clean_sku
from catalog.services.listing import product_edited_while_off_sale
from catalog.services.skus import record_price_change, record_stock_change, remove_sku
from catalog.services.summary import product_refresh_summary
from catalog.units import PriceBasis
from orders.models import StockReason
from suppliers.models import Supplier, SupplierStatus


@transaction.atomic
def product_save(
    *,
    supplier: Supplier,
    by: User,
    data: dict,
    skus: list[dict],
    product: Product | None = None,
    source: str = "form",
) -> Product:
    """Create a product, or change one that is editable, together with its SKUs, in one go.

    ``skus`` rows carry the SKU fields, an optional ``id`` of an existing SKU and ``delete``.
    Errors are raised as one ValidationError: product fields by name, SKU fields as
    ``sku-<row>-<field>``; nothing is written unless everything is valid.
    """
    require_supplier(by, supplier)
    supplier = Supplier.objects.select_related("county").get(
        pk=supplier.pk
    )  # its current state, not a stale copy
    if supplier.status != SupplierStatus.ACTIVE:
        raise ValidationError(_("Only approved suppliers can list products."))
    if product is not None:
        product = lock_product(product)
        if product.supplier_id != supplier.pk:
            raise PermissionDenied
        if not product.is_editable:
            raise ValidationError(
                _("A product that is “%(status)s” cannot be edited; change prices and stock on its SKUs.")
                % {"status": product.get_status_display()}
            )
    clean, errors = clean_content(data, supplier)
    basis = clean["category"].price_basis if "category" not in errors else PriceBasis.PER_500G
    rows = []
    existing = {s.pk: s for s in product.skus.all()} if product else {}
    for i, row in enumerate(skus):
        if row.get("delete"):
            if row.get("id") and row["id"] not in existing:
                errors.setdefault("skus", []).append(_("Unknown SKU."))
            rows.append((i, row, None))
            continue
        sku_clean, sku_errors = clean_sku(row, basis)
        for field, messages in sku_errors.items():
            errors[f"sku-{i}-{field}"] = messages
        if row.get("id") and row["id"] not in existing:
            errors[f"sku-{i}-spec"] = [_("Unknown SKU.")]
        rows.append((i, row, sku_clean))
    if not any(clean_row for _i, _row, clean_row in rows):
        errors.setdefault("skus", []).append(_("Add at least one SKU."))
    if errors:
        raise ValidationError(errors)

    previous_status = product.status if product else None
    if product is None:
        product = Product(supplier=supplier)
    for field in CONTENT_FIELDS:
        if field in clean:
            setattr(product, field, clean[field])
    product.origin_province_id = clean["origin_county"].province_id
    product.top_category_id = top_category_id(product.category_id)
    product.save()

    repriced: list[int] = []
    for position, (_i, row, sku_clean) in enumerate(rows):
        if sku_clean is None:
            if row.get("id"):
                remove_sku(existing[row["id"]])
            continue
        sku = existing.get(row.get("id")) or Sku(product=product)
        old_price, old_unit_price, old_spec = (
            (sku.price, sku.unit_price, sku.spec) if sku.pk else (None, None, "")
        )
        old_stock = sku.stock if sku.pk else None  # a new SKU's ledger starts at its first change
        for field in SKU_FIELDS:
            if field in sku_clean:
                setattr(sku, field, sku_clean[field])
        sku.unit_price = sku_clean["unit_price"]
        sku.position = position
        sku.save()
        if old_stock is not None:
            record_stock_change(sku, old_stock, by=by, reason=StockReason.SUPPLIER_ADJUSTMENT, note=source)
        if record_price_change(sku, old_price, old_unit_price, old_spec, by=by, source=source, rejudge=False):
            repriced.append(sku.pk)
    if repriced:
        SKU_PRICES_CHANGED(sku_ids=repriced)  # one background job for the product's SKUs

    if previous_status == ProductStatus.OFF_SALE:
        product_edited_while_off_sale(product, by=by)
    product_refresh_summary(product)
    return product
