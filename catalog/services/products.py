"""A product and its SKUs, created or changed in one go from the product form or the API."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Product, ProductStatus, Sku
from catalog.selectors import top_category_id
from catalog.services._common import lock_product, require_supplier
from catalog.services.cleaning import CONTENT_FIELDS, clean_content, clean_sku
from catalog.services.listing import product_edited_while_off_sale
from catalog.services.skus import SkuRow, product_skus_write
from catalog.services.summary import product_refresh_summary
from catalog.units import PriceBasis
from suppliers.models import Supplier, SupplierStatus


class ProductInvalid(ValidationError):
    """``product_save`` refused what was entered; nothing was written.

    ``fields``: messages by product field (``skus`` for the SKU list as a whole, e.g. "Add at least one
    SKU."); ``sku_rows``: for each wrong row of the ``skus`` given (by its index), messages by SKU field.
    Read as a plain ValidationError it holds every message by field, the rows' under ``skus``.
    """

    def __init__(self, *, fields: dict[str, list[str]], sku_rows: dict[int, dict[str, list[str]]]):
        self.fields = fields
        self.sku_rows = sku_rows
        combined = {field: list(messages) for field, messages in fields.items()}
        row_messages = [m for row in sku_rows.values() for messages in row.values() for m in messages]
        if row_messages:
            combined["skus"] = combined.get("skus", []) + row_messages
        super().__init__(combined)


def _editable(product: Product, supplier: Supplier) -> Product:
    """The product under its lock, when this supplier may change its content now."""
    product = lock_product(product)
    if product.supplier_id != supplier.pk:
        raise PermissionDenied
    if not product.is_editable:
        raise ValidationError(
            _("A product that is “%(status)s” cannot be edited; change prices and stock on its SKUs.")
            % {"status": product.get_status_display()}
        )
    return product


def _clean_rows(skus: list[dict], *, basis: str, existing: dict[int, Sku], errors: dict) -> list[SkuRow]:
    """Each submitted row checked; its errors go to ``ProductInvalid.sku_rows``, list-wide ones to ``errors``."""
    rows: list[SkuRow] = []
    row_errors: dict[int, dict[str, list[str]]] = {}
    for i, row in enumerate(skus):
        known = not row.get("id") or row["id"] in existing
        if row.get("delete"):
            if not known:
                errors.setdefault("skus", []).append(_("Unknown SKU."))
            rows.append(SkuRow(row, None))
            continue
        sku_clean, sku_errors = clean_sku(row, basis)
        if not known:
            sku_errors["spec"] = [_("Unknown SKU.")]
        if sku_errors:
            row_errors[i] = sku_errors
        rows.append(SkuRow(row, sku_clean))
    if not any(r.clean for r in rows):
        errors.setdefault("skus", []).append(_("Add at least one SKU."))
    if errors or row_errors:
        raise ProductInvalid(fields=errors, sku_rows=row_errors)
    return rows


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
    Wrong values raise ``ProductInvalid`` (product fields by name, each wrong SKU row by its index);
    nothing is written unless everything is valid.
    """
    require_supplier(by, supplier)
    # Its current state, not a stale copy.
    supplier = Supplier.objects.select_related("county").get(pk=supplier.pk)
    if supplier.status != SupplierStatus.ACTIVE:
        raise ValidationError(_("Only approved suppliers can list products."))
    if product is not None:
        product = _editable(product, supplier)
    clean, errors = clean_content(data, supplier)
    basis = clean["category"].price_basis if "category" not in errors else PriceBasis.PER_500G
    existing = {s.pk: s for s in product.skus.all()} if product else {}
    rows = _clean_rows(skus, basis=basis, existing=existing, errors=errors)

    previous_status = product.status if product else None
    if product is None:
        product = Product(supplier=supplier)
    for field in CONTENT_FIELDS:
        if field in clean:
            setattr(product, field, clean[field])
    product.origin_province_id = clean["origin_county"].province_id
    product.top_category_id = top_category_id(product.category_id)
    product.save()
    product_skus_write(product, rows, existing=existing, by=by, source=source)
    if previous_status == ProductStatus.OFF_SALE:
        product_edited_while_off_sale(product, by=by)
    product_refresh_summary(product)
    return product
