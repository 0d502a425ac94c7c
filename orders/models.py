"""Orders: the cart, checkouts split into one order per supplier, the stock ledger, payments,
after-sales requests and reviews.

Money is ``DecimalField(max_digits=12, decimal_places=2)`` everywhere (yuan, two places). What
the database can check it checks (totals add up, quantities and ratings in range, one open cart
per user, one live payment per order, a notification processed once); the rest is enforced by
``orders.services``, the only code that writes these tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TransitionEvent
from core.money import ZERO
from core.storage import private_storage

MONEY = {"max_digits": 12, "decimal_places": 2}


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed, awaiting the supplier's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the supplier")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceType(models.TextChoices):
    ORDINARY = "ordinary", _("VAT ordinary invoice (增值税普通发票)")
    SPECIAL = "special", _("VAT special invoice (增值税专用发票)")


class PaymentMethod(models.TextChoices):
    OFFICIAL_CARD = "official_card", _("Official card (公务卡)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (对公转账)")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled (order cancelled before payment)")
    REFUNDED = "refunded", _("Refunded in full")


# A payment in one of these states is the order's current one; failed and cancelled ones are history.
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.REFUNDED)


class AfterSaleKind(models.TextChoices):
    REFUND = "refund", _("Refund only")
    RETURN = "return", _("Return and refund")


class AfterSaleStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the supplier's answer")
    ACCEPTED = "accepted", _("Accepted by the supplier")
    REFUSED = "refused", _("Refused by the supplier")
    DISPUTED = "disputed", _("Disputed, awaiting customer service")
    ARBITRATED = "arbitrated", _("Decided by customer service")


class ArbitrationDecision(models.TextChoices):
    REFUND = "refund", _("Refund the buyer")
    REJECT = "reject", _("Uphold the supplier's refusal")


# --- Cart -------------------------------------------------------------------------------------------


class Cart(models.Model):
    """A buyer user's cart: one per user, across suppliers; emptied when its orders are placed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart", verbose_name=_("user")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart {self.user_id}"


class CartItem(models.Model):
    """A SKU in a cart. ``price_seen`` is the price the buyer last saw for it, so checkout can say
    which prices changed since; what is charged is always the SKU's price at checkout."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    price_seen = models.DecimalField(_("price when added (¥)"), max_digits=10, decimal_places=2)
    unit_price_seen = models.DecimalField(_("unit price when added (¥)"), **MONEY)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_item_one_row_per_sku"),
            models.CheckConstraint(name="cart_item_quantity_positive", condition=Q(quantity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} × {self.quantity}"


# --- Orders -----------------------------------------------------------------------------------------


class Checkout(models.Model):
    """One click on "place order": the orders it created (one per supplier). The idempotency key
    the page sends is unique per user, so a second click finds these orders instead of making more."""

    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    buyer_unit = models.ForeignKey(
        "buyers.BuyerUnit", on_delete=models.PROTECT, related_name="checkouts", verbose_name=_("buyer unit")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    fingerprint = models.CharField(_("totals fingerprint"), max_length=64)
    total = models.DecimalField(_("total (¥)"), **MONEY)
    created_at = models.DateTimeField(_("placed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        constraints = [
            models.UniqueConstraint(
                fields=["placed_by", "idempotency_key"], name="checkout_idempotency_key_unique_per_user"
            ),
            models.CheckConstraint(name="checkout_total_not_negative", condition=Q(total__gte=0)),
        ]

    def __str__(self) -> str:
        return f"checkout {self.pk}"


class Order(models.Model):
    """What one buyer unit ordered from one supplier. The address and invoice details are copies:
    the order keeps what was agreed even if the address book or the unit changes later."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    buyer_unit = models.ForeignKey(
        "buyers.BuyerUnit", on_delete=models.PROTECT, related_name="orders", verbose_name=_("buyer unit")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="orders", verbose_name=_("supplier")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)

    goods_total = models.DecimalField(_("goods (¥)"), **MONEY)
    shipping_fee = models.DecimalField(_("shipping (¥)"), default=ZERO, **MONEY)
    total = models.DecimalField(_("total (¥)"), **MONEY)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)

    # Delivery address, copied from the buyer unit's address book.
    recipient = models.CharField(_("recipient"), max_length=50)
    phone = models.CharField(_("phone"), max_length=24)
    delivery_province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("delivery province")
    )
    address = models.CharField(_("delivery address"), max_length=400)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)

    # Invoice details, copied from the buyer unit.
    invoice_title = models.CharField(_("invoice title"), max_length=200)
    invoice_uscc = models.CharField(_("taxpayer number (USCC)"), max_length=18)
    invoice_type = models.CharField(_("invoice type"), max_length=16, choices=InvoiceType.choices)
    note = models.TextField(_("note to the supplier"), blank=True)

    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)

    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                name="order_total_is_goods_plus_shipping",
                condition=Q(total=F("goods_total") + F("shipping_fee")),
            ),
            models.CheckConstraint(name="order_goods_total_not_negative", condition=Q(goods_total__gte=0)),
            models.CheckConstraint(name="order_shipping_not_negative", condition=Q(shipping_fee__gte=0)),
            # Nothing leaves the supplier without a carrier and a tracking number.
            models.CheckConstraint(
                name="order_shipped_has_tracking",
                condition=Q(shipped_at__isnull=True) | (~Q(carrier="") & ~Q(tracking_number="")),
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status", "-placed_at"], name="order_supplier_status"),
            models.Index(fields=["buyer_unit", "-placed_at"], name="order_buyer_unit_recent"),
            models.Index(fields=["status", "shipped_at"], name="order_status_shipped"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def current_payment(self) -> "Payment | None":
        """The order's current payment: the one pending, paid or refunded (the database allows one);
        failed and cancelled ones are history. Reads the prefetched payments when there are."""
        return next((p for p in self.payments.all() if p.status in LIVE_PAYMENT_STATUSES), None)


class OrderLine(models.Model):
    """One SKU of an order, with the name, specification and price copied at the time of ordering."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="order_lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    product_name = models.CharField(_("product"), max_length=120)
    spec = models.CharField(_("specification"), max_length=100)
    price = models.DecimalField(_("price (¥ per SKU)"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total (¥)"), **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(name="order_line_quantity_positive", condition=Q(quantity__gte=1)),
            models.CheckConstraint(name="order_line_price_positive", condition=Q(price__gt=0)),
            models.UniqueConstraint(fields=["order", "sku"], name="order_line_one_row_per_sku"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.spec} × {self.quantity}"


class OrderEvent(TransitionEvent):
    """Append-only history of an order: each transition, and each payment or refund, with who,
    in which capacity, when and why (written by core.workflow)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("order history entry")
        verbose_name_plural = _("order history")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action} {self.from_status} → {self.to_status}"


# --- Payments ---------------------------------------------------------------------------------------


class Payment(models.Model):
    """The money for one order, recorded through a payment provider (orders.payments).

    ``refunded_amount`` is what was given back (or, before payment, waived by an accepted refund);
    what remains to be paid or was kept is ``amount - refunded_amount``. At most one payment per
    order is live (not failed or cancelled): a failed card payment is retried with a new one.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount (¥)"), **MONEY)
    refunded_amount = models.DecimalField(_("refunded (¥)"), default=ZERO, **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    provider_data = models.JSONField(_("provider data"), default=dict, blank=True)
    bank_reference = models.CharField(_("bank transaction reference"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer confirmed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [("confirm_payment", "Can confirm that a bank transfer arrived")]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_refund_within_amount",
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
            ),
            models.CheckConstraint(
                name="payment_paid_has_time",
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=LIVE_PAYMENT_STATUSES),
                name="payment_one_live_per_order",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: ¥{self.amount} {self.status}"

    @property
    def amount_due(self):
        """What the buyer still has to pay (pending) or has paid and kept (paid)."""
        return self.amount - self.refunded_amount

    @property
    def is_settled(self) -> bool:
        """Nothing more to pay: paid, or refunded (or waived) in full."""
        return self.status in (PaymentStatus.PAID, PaymentStatus.REFUNDED)


class PaymentRefund(models.Model):
    """Money given back on a payment (or waived before it was paid), with why and through what."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount (¥)"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    after_sale = models.ForeignKey(
        "AfterSaleRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(name="refund_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.payment_id}: ¥{self.amount}"


class PaymentNotification(models.Model):
    """A provider's signed message about a payment. (provider, event id) is unique: the same
    notification delivered twice is stored and acted on once."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    payload = models.JSONField(_("payload"), default=dict)
    result = models.CharField(_("result"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payment_notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


# --- After-sales ------------------------------------------------------------------------------------


class AfterSaleRequest(models.Model):
    """A buyer's refund or return request on a received order (售后), answered by the supplier and,
    if disputed, decided by customer service. orders.workflow declares its steps."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="after_sales")
    kind = models.CharField(_("kind"), max_length=8, choices=AfterSaleKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AfterSaleStatus.choices, default=AfterSaleStatus.OPEN
    )
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(_("amount requested (¥)"), **MONEY)
    refunded_amount = models.DecimalField(_("amount refunded (¥)"), default=ZERO, **MONEY)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supplier_reason = models.TextField(_("supplier's answer"), blank=True)
    dispute_reason = models.TextField(_("buyer's objection"), blank=True)
    decision = models.CharField(
        _("customer service decision"), max_length=8, choices=ArbitrationDecision.choices, blank=True
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        permissions = [("arbitrate_aftersalerequest", "Can decide disputed after-sales requests")]
        constraints = [
            models.CheckConstraint(name="after_sale_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="after_sale_refund_within_request",
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
            ),
            # One request at a time per order is being answered or decided.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["open", "disputed"]), name="after_sale_one_pending"
            ),
            models.CheckConstraint(
                name="after_sale_arbitrated_has_decision",
                condition=~Q(status="arbitrated") | ~Q(decision=""),
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="after_sale_queue")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} ¥{self.amount}"


def after_sale_photo_path(instance: "AfterSalePhoto", filename: str) -> str:
    return f"after_sales/{instance.request.order_id}/{filename}"


class AfterSalePhoto(models.Model):
    """Evidence for an after-sales request: a picture re-encoded on upload (no EXIF). Kept in private
    storage: it shows a buyer's goods and premises, so it is served only through views that check who
    asks (the supplier's order page), never by a public URL."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to=after_sale_photo_path,
        storage=private_storage,
        width_field="width",
        height_field="height",
        max_length=200,
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("after-sales photo")
        verbose_name_plural = _("after-sales photos")

    def __str__(self) -> str:
        return self.image.name


class AfterSaleEvent(TransitionEvent):
    """Append-only history of an after-sales request (written by core.workflow)."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=AfterSaleStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=AfterSaleStatus.choices)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("after-sales history entry")
        verbose_name_plural = _("after-sales history")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


# --- Reviews ----------------------------------------------------------------------------------------


def _rating(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=f"review_{name}_1_to_5", condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
    )


class Review(models.Model):
    """The buyer's rating of a completed order, and the supplier's one reply."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="review")
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="reviews", verbose_name=_("supplier")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quality = models.PositiveSmallIntegerField(_("quality"))
    price = models.PositiveSmallIntegerField(_("price"))
    service = models.PositiveSmallIntegerField(_("service"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    reply = models.TextField(_("supplier's reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            _rating("quality"),
            _rating("price"),
            _rating("service"),
            models.CheckConstraint(
                name="review_reply_has_time",
                condition=Q(reply="", replied_at__isnull=True) | (~Q(reply="") & Q(replied_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["supplier", "-created_at"], name="review_supplier_recent")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.quality}/{self.price}/{self.service}"
