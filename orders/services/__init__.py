"""Every write to orders: the cart, checkout (one order per supplier, stock taken atomically), the
order lifecycle (orders.workflow), payments, after-sales requests and reviews.

Rules that hold everywhere here:

- Prices and totals come from the database at the moment of the write; no caller can pass a price.
- A refused input raises ``ValidationError`` (per field where there is a field) or
  ``PermissionDenied`` and leaves nothing half-made: each use case is one transaction.
- Rows are locked in one fixed order, so two use cases never wait for each other in a circle:
  cart → order → products (by id) → SKUs (by id) → payment → after-sales request → review.
  Catalogue writes take product then SKU too (catalog.services.sku_update).
- Notifications go to the inbox in the same transaction and are emailed after commit (``notify``).
"""

from orders.services._common import actor_kind
from orders.services.after_sales import (
    MAX_AFTER_SALE_PHOTOS,
    after_sale_arbitrate,
    after_sale_dispute,
    after_sale_open,
    after_sale_respond,
)
from orders.services.cart import (
    MAX_LINE_QUANTITY,
    cart_acknowledge_prices,
    cart_add,
    cart_remove,
    cart_update,
)
from orders.services.checkout import (
    MAX_ORDER_TOTAL,
    NOTE_MAX_LENGTH,
    CheckoutPreview,
    PreviewGroup,
    PreviewLine,
    PricesChanged,
    checkout_preview,
    place_orders,
)
from orders.services.lifecycle import order_auto_receive, order_transition
from orders.services.payments import (
    payment_confirm_transfer,
    payment_notification_handle,
    payment_start,
    sandbox_card_pay,
)
from orders.services.reviews import review_add, review_reply

__all__ = [
    "MAX_AFTER_SALE_PHOTOS",
    "MAX_LINE_QUANTITY",
    "MAX_ORDER_TOTAL",
    "NOTE_MAX_LENGTH",
    "CheckoutPreview",
    "PreviewGroup",
    "PreviewLine",
    "PricesChanged",
    "actor_kind",
    "after_sale_arbitrate",
    "after_sale_dispute",
    "after_sale_open",
    "after_sale_respond",
    "cart_acknowledge_prices",
    "cart_add",
    "cart_remove",
    "cart_update",
    "checkout_preview",
    "order_auto_receive",
    "order_transition",
    "payment_confirm_transfer",
    "payment_notification_handle",
    "payment_start",
    "place_orders",
    "review_add",
    "review_reply",
    "sandbox_card_pay",
]
