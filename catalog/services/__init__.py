"""Every write to the catalogue, one module per topic; import from here (``from catalog.services import …``).

- products: a product and its SKUs created or changed in one go (product_save, ProductInvalid)
- skus: one SKU's price and stock (sku_update), the stock CSV (stock_import_csv); the stock-ledger writes
- listing: the pre-check and the listing workflow (product_precheck, product_transition)
- media: images, test reports, trace batches
- summary: what lists and search read (product_refresh_summary), visibility after a supplier's change,
  freezing and unfreezing listings (spot checks)
"""

from catalog.services.cleaning import CONTENT_FIELDS, SKU_FIELDS
from catalog.services.listing import Problem, product_precheck, product_transition
from catalog.services.media import (
    IMAGE_MAX_SIDE,
    MAX_IMAGES,
    THUMBNAIL_SIDE,
    product_image_add,
    product_image_delete,
    product_image_set_main,
    test_report_add,
    trace_batch_add,
)
from catalog.services.products import ProductInvalid, product_save
from catalog.services.skus import RowError, sku_update, stock_import_csv
from catalog.services.summary import (
    listings_freeze,
    listings_unfreeze,
    product_refresh_summary,
    supplier_listing_visibility_sync,
)

__all__ = [
    "CONTENT_FIELDS",
    "IMAGE_MAX_SIDE",
    "MAX_IMAGES",
    "SKU_FIELDS",
    "THUMBNAIL_SIDE",
    "Problem",
    "ProductInvalid",
    "RowError",
    "listings_freeze",
    "listings_unfreeze",
    "product_image_add",
    "product_image_delete",
    "product_image_set_main",
    "product_precheck",
    "product_refresh_summary",
    "product_save",
    "product_transition",
    "sku_update",
    "stock_import_csv",
    "supplier_listing_visibility_sync",
    "test_report_add",
    "trace_batch_add",
]
