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

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.notifications import notify
from accounts.roles import OpsTeam
from buyers.models import DeliveryAddress
from buyers.services import address_problems
from catalog.models import Product, Sku
from core.money import CENT, money, yuan
from core.uploads import clean_image
from orders.models import (
    LIVE_PAYMENT_STATUSES,
    AfterSaleEvent,
    AfterSaleKind,
    AfterSalePhoto,
    AfterSaleRequest,
    AfterSaleStatus,
    ArbitrationDecision,
    Cart,
    CartItem,
    Checkout,
    InvoiceType,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentNotification,
    PaymentRefund,
    PaymentStatus,
    Review,
    StockMovement,
    StockReason,
)
from orders.payments import PaymentStart, SandboxProvider, get_provider
from orders.workflow import (
    AFTER_SALE_STEPS,
    DETAIL_LABELS,
    TRANSITIONS,
    Actor,
    AfterSaleAction,
    OrderAction,
    refusal,
)

MAX_LINE_QUANTITY = 9999
# Decimal(12, 2): the largest amount one order (and one payment) can hold.
MAX_ORDER_TOTAL = Decimal("9999999999.99")
NOTE_MAX_LENGTH = 500
MAX_AFTER_SALE_PHOTOS = 5
PHOTO_MAX_SIDE = 1600
# Where the web layer shows an order to each side (linked from notifications).
BUYER_ORDER_LINK = "/orders/{number}/"
SUPPLIER_ORDER_LINK = "/suppliers/orders/{number}/"


# --- Who acts --------------------------------------------------------------------------------------


def _require_buyer(user: User) -> None:
    if not (user.is_active and user.role == Role.BUYER and user.buyer_unit_id):
        raise PermissionDenied(_("Only buyers of a buyer unit can order."))


def actor_kind(user: User | None, order: Order) -> str | None:
    """In which capacity ``user`` acts on ``order`` (None: it has no say). ``None`` is the platform."""
    if user is None:
        return Actor.SYSTEM
    if not user.is_active:
        return None
    if user.role == Role.BUYER and user.buyer_unit_id == order.buyer_unit_id:
        return Actor.BUYER
    if user.role == Role.SUPPLIER and user.supplier_id == order.supplier_id:
        return Actor.SUPPLIER
    if user.is_ops and user.has_perm("orders.change_order"):
        return Actor.OPS
    return None


def _supplier_members(supplier_id: int):
    return User.objects.filter(supplier_id=supplier_id, is_active=True)


def _buyer_contacts(order: Order):
    return User.objects.filter(pk=order.placed_by_id, is_active=True)


def _customer_service():
    return User.objects.filter(groups__name=OpsTeam.CUSTOMER_SERVICE, is_active=True, is_staff=True)


def _link(order: Order, side: str) -> str:
    return (BUYER_ORDER_LINK if side == Actor.BUYER else SUPPLIER_ORDER_LINK).format(number=order.number)


# --- Cart -------------------------------------------------------------------------------------------


def _item_label(sku: Sku) -> str:
    return f"{sku.product.name} {sku.spec}"


def _availability_problem(sku: Sku, quantity: int) -> tuple[str, str] | None:
    """(field, message) when ``quantity`` of ``sku`` cannot be ordered now, else None."""
    if not (sku.is_active and sku.product.is_visible):
        return "sku", _("“%(item)s” is no longer on sale.") % {"item": _item_label(sku)}
    if sku.stock <= 0:
        return "quantity", _("“%(item)s” is sold out.") % {"item": _item_label(sku)}
    if quantity > sku.stock:
        return "quantity", _("Only %(n)d left of “%(item)s”.") % {"n": sku.stock, "item": _item_label(sku)}
    return None


def _check_quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": _("Enter a quantity of at least 1.")}, code="quantity")
    if quantity > MAX_LINE_QUANTITY:
        raise ValidationError(
            {"quantity": _("At most %(n)d of one SKU per order.") % {"n": MAX_LINE_QUANTITY}}, code="quantity"
        )
    return quantity


def _locked_cart(user: User) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def _own_item(user: User, item: CartItem) -> CartItem:
    # Scoped by the owner at the query: another user's item is simply not found.
    own = CartItem.objects.select_related("sku__product").filter(pk=item.pk, cart__user=user).first()
    if own is None:
        raise PermissionDenied(_("This item is not in your cart."))
    return own


@transaction.atomic
def cart_add(*, user: User, sku: Sku, quantity: int) -> CartItem:
    """Put ``quantity`` of ``sku`` in the buyer's cart (adding to what is there). The SKU must be
    offered, its product on sale from an active supplier, and in stock for the new quantity."""
    _require_buyer(user)
    _check_quantity(quantity)
    cart = _locked_cart(user)
    sku = Sku.objects.select_related("product").filter(pk=sku.pk).first()
    if sku is None:
        raise ValidationError({"sku": _("This product is no longer offered.")}, code="unavailable")
    item = CartItem.objects.filter(cart=cart, sku=sku).first()
    wanted = quantity + (item.quantity if item else 0)
    _check_quantity(wanted)
    problem = _availability_problem(sku, wanted)
    if problem:
        raise ValidationError({problem[0]: problem[1]}, code="unavailable")
    if item is None:
        item = CartItem(cart=cart, sku=sku)
    item.quantity = wanted
    # The buyer has just seen the current price on the product page.
    item.price_seen, item.unit_price_seen = sku.price, sku.unit_price
    item.save()
    return item


@transaction.atomic
def cart_update(*, user: User, item: CartItem, quantity: int) -> CartItem:
    """Change the quantity of an item of the buyer's own cart (``cart_remove`` takes it out)."""
    _require_buyer(user)
    _locked_cart(user)
    item = _own_item(user, item)
    _check_quantity(quantity)
    problem = _availability_problem(item.sku, quantity)
    if problem:
        raise ValidationError({problem[0]: problem[1]}, code="unavailable")
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def cart_remove(*, user: User, item: CartItem) -> None:
    """Take an item out of the buyer's own cart."""
    _require_buyer(user)
    _locked_cart(user)
    _own_item(user, item).delete()


@transaction.atomic
def cart_acknowledge_prices(*, user: User) -> int:
    """Record that the buyer has seen the current price of every item in the cart."""
    changed = 0
    for item in CartItem.objects.filter(cart__user=user).select_related("sku"):
        if (item.price_seen, item.unit_price_seen) != (item.sku.price, item.sku.unit_price):
            item.price_seen, item.unit_price_seen = item.sku.price, item.sku.unit_price
            item.save(update_fields=["price_seen", "unit_price_seen"])
            changed += 1
    return changed


# --- Checkout preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    item_id: int
    sku_id: int
    product_id: int
    product_name: str
    spec: str
    quantity: int
    price: Decimal  # the SKU's price now: what will be charged
    price_seen: Decimal  # what the buyer saw when adding it
    line_total: Decimal
    available: int
    problem: str  # why this line cannot be ordered now ("" if it can)

    @property
    def price_changed(self) -> bool:
        return self.price != self.price_seen

    @property
    def price_change(self) -> str:
        return _("The price of “%(item)s” changed from %(old)s to %(new)s.") % {
            "item": f"{self.product_name} {self.spec}",
            "old": yuan(self.price_seen),
            "new": yuan(self.price),
        }


@dataclass(frozen=True)
class PreviewGroup:
    """The lines of one supplier: they become one order."""

    supplier_id: int
    supplier_name: str
    lines: tuple[PreviewLine, ...]
    goods_total: Decimal
    shipping_fee: Decimal
    total: Decimal


@dataclass(frozen=True)
class CheckoutPreview:
    groups: tuple[PreviewGroup, ...]
    total: Decimal
    fingerprint: str  # the confirmation page sends it back to place_orders

    @property
    def lines(self) -> list[PreviewLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def problems(self) -> list[str]:
        """What must be fixed in the cart before it can be ordered."""
        problems = [line.problem for line in self.lines if line.problem]
        problems += [
            _("The order from %(supplier)s is too large for one order; split it.")
            % {"supplier": g.supplier_name}
            for g in self.groups
            if g.total > MAX_ORDER_TOTAL
        ]
        return problems

    @property
    def price_changes(self) -> list[PreviewLine]:
        """Lines whose price changed since the buyer added them: say so before the buyer confirms."""
        return [line for line in self.lines if line.price_changed]

    @property
    def can_place(self) -> bool:
        return bool(self.groups) and not self.problems


def _fingerprint(items: Iterable[CartItem]) -> str:
    """What the buyer confirms: every SKU, its quantity and its current price (shipping is free)."""
    rows = sorted([item.sku_id, item.quantity, str(item.sku.price)] for item in items)
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def _preview(items: list[CartItem]) -> CheckoutPreview:
    """Compute lines, per-supplier totals and problems from the SKU rows loaded with the items."""
    by_supplier: dict[int, list[CartItem]] = defaultdict(list)
    for item in items:
        by_supplier[item.sku.product.supplier_id].append(item)
    groups = []
    for supplier_id in sorted(by_supplier):
        lines = []
        for item in sorted(by_supplier[supplier_id], key=lambda i: (i.sku.product_id, i.sku_id)):
            sku = item.sku
            problem = _availability_problem(sku, item.quantity)
            lines.append(
                PreviewLine(
                    item_id=item.pk,
                    sku_id=sku.pk,
                    product_id=sku.product_id,
                    product_name=sku.product.name,
                    spec=sku.spec,
                    quantity=item.quantity,
                    price=money(sku.price),
                    price_seen=money(item.price_seen),
                    line_total=money(sku.price * item.quantity),
                    available=max(sku.stock, 0),
                    problem=problem[1] if problem else "",
                )
            )
        goods = money(sum((line.line_total for line in lines), Decimal(0)))
        shipping = money(0)  # free delivery for now; the fingerprint and totals include it when it is not
        groups.append(
            PreviewGroup(
                supplier_id=supplier_id,
                supplier_name=by_supplier[supplier_id][0].sku.product.supplier.legal_name,
                lines=tuple(lines),
                goods_total=goods,
                shipping_fee=shipping,
                total=money(goods + shipping),
            )
        )
    return CheckoutPreview(
        groups=tuple(groups),
        total=money(sum((g.total for g in groups), Decimal(0))),
        fingerprint=_fingerprint(items),
    )


def checkout_preview(*, user: User) -> CheckoutPreview:
    """The cart as orders: one group per supplier, every amount computed now from the SKUs' current
    prices, with what stands in the way (off sale, stock) and which prices changed since added."""
    _require_buyer(user)
    items = list(
        CartItem.objects.filter(cart__user=user).select_related("sku__product__supplier").order_by("id")
    )
    return _preview(items)


# --- Placing orders ---------------------------------------------------------------------------------


class PricesChanged(ValidationError):
    """The totals the buyer confirmed are not the current ones."""


def _coded(messages: list[str], code: str) -> list[ValidationError]:
    # A ValidationError made from a list drops its code; each message keeps it this way.
    return [ValidationError(message, code=code) for message in messages]


def _existing_orders(user: User, key: str) -> list[Order] | None:
    checkout = Checkout.objects.filter(placed_by=user, idempotency_key=key).first()
    return list(checkout.orders.order_by("id")) if checkout else None


def _check_address(user: User, address: DeliveryAddress | None) -> DeliveryAddress:
    own = (
        DeliveryAddress.objects.select_related("province", "city", "county")
        .filter(buyer_unit_id=user.buyer_unit_id, pk=getattr(address, "pk", None))
        .first()
    )
    if own is None:
        raise ValidationError({"address": _("Choose one of your unit's delivery addresses.")}, code="address")
    problems = address_problems(own)
    if problems:
        messages = [m for field_messages in problems.values() for m in field_messages]
        raise ValidationError(
            {"address": [_("This delivery address is incomplete:"), *messages]}, code="address_incomplete"
        )
    return own


def _check_checkout_inputs(*, invoice_type: str, payment_method: str, note: str, key: str) -> None:
    errors: dict[str, str] = {}
    if invoice_type not in InvoiceType.values:
        errors["invoice_type"] = _("Choose the invoice type.")
    if payment_method not in PaymentMethod.values:
        errors["payment_method"] = _("Choose how your unit pays.")
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH}
    if not key or len(key) > 64:
        errors["idempotency_key"] = _("The checkout page is out of date: reload it and confirm again.")
    if errors:
        raise ValidationError(errors, code="invalid")


def place_orders(
    *,
    user: User,
    address: DeliveryAddress,
    invoice_type: str,
    note: str,
    fingerprint: str,
    idempotency_key: str,
    payment_method: str,
) -> list[Order]:
    """Turn the buyer's whole cart into orders, one per supplier, and take their stock.

    Everything is recomputed from the locked SKU rows: the prices charged are the current ones, and
    ``fingerprint`` (from ``checkout_preview``) must match them, else ``PricesChanged`` says what
    changed, the cart records the new prices as seen, and the buyer confirms again. A line that
    cannot be served (off sale, sold out, not enough left) refuses the whole checkout: no order,
    stock change, ledger row or payment is left behind.

    ``idempotency_key`` (one per rendering of the confirmation page) makes a repeated submission
    return the orders the first one made; the database holds it unique per user.
    """
    _require_buyer(user)
    key = (idempotency_key or "").strip()
    note = (note or "").strip()
    _check_checkout_inputs(invoice_type=invoice_type, payment_method=payment_method, note=note, key=key)
    existing = _existing_orders(user, key)
    if existing is not None:
        return existing
    address = _check_address(user, address)
    try:
        with transaction.atomic():
            return _place(
                user=user,
                address=address,
                invoice_type=invoice_type,
                note=note,
                fingerprint=fingerprint,
                key=key,
                payment_method=payment_method,
            )
    except PricesChanged:
        # After the rollback: the next preview shows the new prices as the ones the buyer has seen.
        cart_acknowledge_prices(user=user)
        raise


def _lock_products_and_skus(sku_ids: Iterable[int]) -> dict[int, Sku]:
    """Lock the products of these SKUs, then the SKUs, each in id order; return the SKUs (fresh
    rows, with their product and its supplier). Call inside a transaction."""
    sku_ids = sorted(set(sku_ids))
    product_ids = sorted(set(Sku.objects.filter(pk__in=sku_ids).values_list("product_id", flat=True)))
    products = {
        p.pk: p
        for p in Product.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .filter(pk__in=product_ids)
        .order_by("pk")
    }
    skus = {s.pk: s for s in Sku.objects.select_for_update().filter(pk__in=sku_ids).order_by("pk")}
    for sku in skus.values():
        sku.product = products[sku.product_id]
    return skus


def _refresh_product_stock(product_ids: Iterable[int], sold: Mapping[int, int]) -> None:
    """After stock changed under the products' locks: total stock from the offered SKUs, and units sold."""
    for product_id in sorted(set(product_ids)):
        total = (
            Sku.objects.filter(product_id=product_id, is_active=True).aggregate(total=Sum("stock"))["total"]
            or 0
        )
        Product.objects.filter(pk=product_id).update(
            total_stock=total, sales_count=Greatest(F("sales_count") + sold.get(product_id, 0), 0)
        )


def _place(
    *,
    user: User,
    address: DeliveryAddress,
    invoice_type: str,
    note: str,
    fingerprint: str,
    key: str,
    payment_method: str,
) -> list[Order]:
    cart = Cart.objects.select_for_update().filter(user=user).first()
    # A click that was waiting for the cart lock finds what the first click made.
    existing = _existing_orders(user, key)
    if existing is not None:
        return existing
    items = list(CartItem.objects.filter(cart=cart).order_by("id")) if cart else []
    if not items:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")
    skus = _lock_products_and_skus(item.sku_id for item in items)
    items = [item for item in items if item.sku_id in skus]
    for item in items:
        item.sku = skus[item.sku_id]
    preview = _preview(items)
    if preview.problems:
        raise ValidationError(_coded(preview.problems, "unavailable"))
    if fingerprint != preview.fingerprint:
        changes = [line.price_change for line in preview.price_changes]
        raise PricesChanged(
            _coded(
                [*changes, _("Check the new totals and confirm again.")]
                if changes
                else [_("Your cart changed since you reviewed it. Check the totals and confirm again.")],
                "prices_changed",
            )
        )

    unit = user.buyer_unit
    now = timezone.now()
    try:
        with transaction.atomic():
            checkout = Checkout.objects.create(
                placed_by=user,
                buyer_unit=unit,
                idempotency_key=key,
                fingerprint=preview.fingerprint,
                total=preview.total,
                created_at=now,
            )
    except IntegrityError:
        # Only reachable if a concurrent click got past the cart lock (it cannot): the constraint
        # is the guarantee, this is the answer.
        return _existing_orders(user, key) or []
    provider = get_provider()
    day = timezone.localdate(now).strftime("%Y%m%d")
    orders: list[Order] = []
    order_of_sku: dict[int, Order] = {}
    for index, group in enumerate(preview.groups, start=1):
        order = Order.objects.create(
            number=f"FS{day}-{checkout.pk:06d}-{index}",
            checkout=checkout,
            buyer_unit=unit,
            placed_by=user,
            supplier_id=group.supplier_id,
            goods_total=group.goods_total,
            shipping_fee=group.shipping_fee,
            total=group.total,
            payment_method=payment_method,
            recipient=address.recipient,
            phone=address.phone,
            delivery_province=address.province,
            address=address.full_address,
            postcode=address.postcode,
            invoice_title=unit.name,
            invoice_uscc=unit.uscc,
            invoice_type=invoice_type,
            note=note,
            placed_at=now,
            status_changed_at=now,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    sku_id=line.sku_id,
                    product_id=line.product_id,
                    product_name=line.product_name,
                    spec=line.spec,
                    price=line.price,
                    quantity=line.quantity,
                    line_total=line.line_total,
                )
                for line in group.lines
            ]
        )
        Payment.objects.create(
            order=order, method=payment_method, amount=order.total, provider=provider.code, created_at=now
        )
        OrderEvent.objects.create(
            order=order,
            action=OrderAction.PLACE,
            from_status="",
            to_status=OrderStatus.PLACED,
            actor=user,
            actor_role=Actor.BUYER,
            details={"checkout": checkout.pk},
            created_at=now,
        )
        for line in group.lines:
            order_of_sku[line.sku_id] = order
        orders.append(order)

    sold: dict[int, int] = defaultdict(int)
    movements = []
    for item in sorted(items, key=lambda i: i.sku_id):
        sku = item.sku
        # Under the lock this always matches; the condition keeps stock from going below zero even
        # if a caller forgot the lock (and the database constraint backs both).
        if not Sku.objects.filter(pk=sku.pk, stock__gte=item.quantity).update(
            stock=F("stock") - item.quantity
        ):
            raise ValidationError(
                _("“%(item)s” is sold out.") % {"item": _item_label(sku)}, code="unavailable"
            )
        sku.stock -= item.quantity
        sold[sku.product_id] += item.quantity
        movements.append(
            StockMovement(
                sku=sku,
                change=-item.quantity,
                stock_after=sku.stock,
                reason=StockReason.ORDER_PLACED,
                order=order_of_sku[sku.pk],
                actor=user,
                created_at=now,
            )
        )
    StockMovement.objects.bulk_create(movements)
    _refresh_product_stock(sold, sold)
    CartItem.objects.filter(cart=cart).delete()

    for order in orders:
        notify(
            users=_supplier_members(order.supplier_id),
            subject=_("New order %(number)s") % {"number": order.number},
            body=_("%(unit)s ordered goods for %(total)s. Please confirm the order.")
            % {"unit": unit.name, "total": yuan(order.total)},
            link=_link(order, Actor.SUPPLIER),
        )
    return orders


# --- The order lifecycle -----------------------------------------------------------------------------


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _live_payment(order: Order, *, lock: bool = True) -> Payment | None:
    qs = Payment.objects.filter(order=order, status__in=LIVE_PAYMENT_STATUSES)
    return (qs.select_for_update() if lock else qs).first()


def _record(order: Order, action: str, *, by: User | None, role: str, reason: str = "", **details) -> None:
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=by,
        actor_role=role,
        reason=reason,
        details={k: str(v) for k, v in details.items()},
    )


STAGE_FIELDS = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.RECEIVED: "received_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def _subject(action: str, order: Order) -> str:
    subjects = {
        OrderAction.CONFIRM: _("Order %(number)s confirmed by the supplier"),
        OrderAction.SHIP: _("Order %(number)s shipped"),
        OrderAction.RECEIVE: _("Order %(number)s received"),
        OrderAction.COMPLETE: _("Order %(number)s completed"),
        OrderAction.CANCEL: _("Order %(number)s cancelled"),
    }
    return subjects[action] % {"number": order.number}


def _notify_transition(order: Order, action: str, *, actor: str, reason: str) -> None:
    body = _("Order %(number)s is now “%(status)s”.") % {
        "number": order.number,
        "status": order.get_status_display(),
    }
    if action == OrderAction.SHIP:
        body += "\n" + _("Carrier: %(carrier)s, tracking number: %(tracking)s") % {
            "carrier": order.carrier,
            "tracking": order.tracking_number,
        }
    if reason:
        body += "\n" + _("Reason: %(reason)s") % {"reason": reason}
    # The other party hears of it; when the platform acts, both do.
    if actor in (Actor.SUPPLIER, Actor.SYSTEM, Actor.OPS):
        notify(
            users=_buyer_contacts(order),
            subject=_subject(action, order),
            body=body,
            link=_link(order, Actor.BUYER),
        )
    if actor in (Actor.BUYER, Actor.SYSTEM, Actor.OPS):
        notify(
            users=_supplier_members(order.supplier_id),
            subject=_subject(action, order),
            body=body,
            link=_link(order, Actor.SUPPLIER),
        )


@transaction.atomic
def order_transition(*, order: Order, action: str, by: User | None, reason: str = "", **details) -> Order:
    """Move an order along its lifecycle (orders.workflow), the only way its status changes.

    Checks who may (the buyer unit's buyers, the supplier's people, ``None`` for the platform),
    from which states, the reason and details required (``ship`` needs ``carrier`` and
    ``tracking_number``); records an OrderEvent with who, in which capacity, when and why; tells
    the other party. Cancelling returns the stock and voids or refunds the payment; receiving
    an order that is paid completes it.
    """
    order = _lock_order(order)
    actor = actor_kind(by, order)
    if actor is None:
        raise PermissionDenied(_("You may not act on this order."))
    transition = TRANSITIONS.get((action, actor))
    if transition is None:
        if any(a == action for a, _who in TRANSITIONS):
            raise PermissionDenied(
                _("“%(action)s” is not for you to do on this order.") % {"action": OrderAction(action).label}
            )
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    if order.status not in transition.sources:
        message = refusal(transition, order.status) or _(
            "“%(action)s” is not possible while the order is “%(status)s”."
        ) % {"action": OrderAction(action).label, "status": order.get_status_display()}
        raise ValidationError(str(message), code="invalid_transition")
    unexpected = set(details) - set(transition.details_required)
    if unexpected:
        raise TypeError(f"unexpected details for {action}: {', '.join(sorted(unexpected))}")
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if transition.reason_required and not reason:
        errors["reason"] = _("Give a reason: the buyer will read it.")
    clean = {name: str(details.get(name) or "").strip() for name in transition.details_required}
    for name, value in clean.items():
        if not value:
            errors[name] = _("Enter the %(what)s.") % {"what": DETAIL_LABELS[name]}
        elif len(value) > 50:
            errors[name] = _("At most 50 characters.")
    if errors:
        raise ValidationError(errors, code="required")
    if action == OrderAction.COMPLETE and not _is_settled(order):
        raise ValidationError(_("An order is completed only once it is paid."), code="not_paid")

    previous = order.status
    now = timezone.now()
    order.status = transition.target
    order.status_changed_at = now
    setattr(order, STAGE_FIELDS[transition.target], now)
    fields = ["status", "status_changed_at", STAGE_FIELDS[transition.target]]
    if action == OrderAction.SHIP:
        order.carrier, order.tracking_number = clean["carrier"], clean["tracking_number"]
        fields += ["carrier", "tracking_number"]
    if action == OrderAction.CANCEL:
        order.cancel_reason = reason
        fields.append("cancel_reason")
    order.save(update_fields=fields)
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=previous,
        to_status=order.status,
        actor=by,
        actor_role=actor,
        reason=reason,
        details=clean,
        created_at=now,
    )
    if action == OrderAction.CANCEL:
        _return_stock(order, by=by)
        _cancel_payment(order, by=by, role=actor, reason=reason)
    _notify_transition(order, action, actor=actor, reason=reason)
    if action == OrderAction.RECEIVE:
        _complete_if_due(order)
    return order


def _is_settled(order: Order) -> bool:
    payment = _live_payment(order, lock=False)
    return payment is not None and payment.is_settled


def _complete_if_due(order: Order) -> None:
    """Received and paid (in either order): complete. Call holding the order's lock."""
    if order.status == OrderStatus.RECEIVED and _is_settled(order):
        order_transition(order=order, action=OrderAction.COMPLETE, by=None)
        order.refresh_from_db()


def _return_stock(order: Order, *, by: User | None) -> None:
    """Put a cancelled order's quantities back on its SKUs, in the ledger too."""
    lines = list(order.lines.all())
    skus = _lock_products_and_skus(line.sku_id for line in lines)
    returned: dict[int, int] = defaultdict(int)
    for line in lines:
        returned[line.sku_id] += line.quantity
    movements = []
    sold: dict[int, int] = defaultdict(int)
    for sku_id in sorted(returned):
        sku, quantity = skus[sku_id], returned[sku_id]
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + quantity)
        sku.stock += quantity
        sold[sku.product_id] -= quantity
        movements.append(
            StockMovement(
                sku=sku,
                change=quantity,
                stock_after=sku.stock,
                reason=StockReason.ORDER_CANCELLED,
                order=order,
                actor=by,
            )
        )
    StockMovement.objects.bulk_create(movements)
    _refresh_product_stock(sold, sold)


def _cancel_payment(order: Order, *, by: User | None, role: str, reason: str) -> None:
    payment = _live_payment(order)
    if payment is None:
        return
    if payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.CANCELLED
        payment.save(update_fields=["status"])
    elif payment.status == PaymentStatus.PAID and payment.amount_due > 0:
        _refund(
            order,
            payment,
            amount=payment.amount_due,
            by=by,
            role=role,
            reason=reason or _("Order cancelled"),
        )


# --- Automatic receipt --------------------------------------------------------------------------------


def order_auto_receive(now: datetime.datetime | None = None, *, batch: int = 500) -> int:
    """Mark as received the orders shipped more than ORDER_AUTO_RECEIPT_DAYS ago that the buyer has
    not confirmed (and complete those already paid). Idempotent: only shipped orders are touched,
    each in its own transaction. Returns how many were received; at most ``batch`` per call."""
    now = now or timezone.now()
    days = settings.ORDER_AUTO_RECEIPT_DAYS
    cutoff = now - datetime.timedelta(days=days)
    due = Order.objects.filter(status=OrderStatus.SHIPPED, shipped_at__lte=cutoff)
    done = 0
    for pk in due.order_by("shipped_at", "id").values_list("pk", flat=True)[:batch]:
        with transaction.atomic():
            # Re-read under the lock: the buyer may have confirmed in the meantime.
            order = due.select_for_update().filter(pk=pk).first()
            if order is None:
                continue
            order_transition(
                order=order,
                action=OrderAction.RECEIVE,
                by=None,
                reason=_("Received automatically %(days)d days after shipping.") % {"days": days},
            )
            done += 1
    return done


# --- Payments -----------------------------------------------------------------------------------------


def _mark_paid(order: Order, payment: Payment, *, by: User | None, role: str, **details) -> None:
    """Call holding the order's and the payment's locks."""
    payment.status = PaymentStatus.PAID
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "provider_reference", "bank_reference", "confirmed_by"])
    _record(order, OrderAction.PAYMENT_RECEIVED, by=by, role=role, amount=payment.amount_due, **details)
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("Payment received for order %(number)s") % {"number": order.number},
        body=_("%(amount)s was paid for order %(number)s.")
        % {"amount": yuan(payment.amount_due), "number": order.number},
        link=_link(order, Actor.SUPPLIER),
    )
    _complete_if_due(order)


def _pending_payment_for(order: Order, payment: Payment) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk, order=order)
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled; it cannot be paid."), code="cancelled")
    if payment.status != PaymentStatus.PENDING:
        raise ValidationError(
            _("This payment is not awaiting payment (it is “%(status)s”).")
            % {"status": payment.get_status_display()},
            code="not_pending",
        )
    return payment


def payment_start(*, order: Order, by: User) -> PaymentStart:
    """How the buyer pays this order: registers the payment with the provider the first time (a new
    one if the last attempt failed) and returns the card page or the transfer instructions.

    The provider is called outside any transaction (a real one is a network call); two concurrent
    calls keep whichever reference was stored first."""
    with transaction.atomic():
        order = _lock_order(order)
        if actor_kind(by, order) != Actor.BUYER:
            raise PermissionDenied(_("Only the buyer pays an order."))
        if order.status == OrderStatus.CANCELLED:
            raise ValidationError(_("This order was cancelled; it cannot be paid."), code="cancelled")
        payment = _live_payment(order)
        if payment is None:  # the last attempt failed: try again with a new payment
            payment = Payment.objects.create(
                order=order,
                method=order.payment_method,
                amount=order.total,
                provider=get_provider().code,
            )
        if payment.status != PaymentStatus.PENDING:
            raise ValidationError(_("This order is already paid."), code="paid")
    if payment.provider_reference:
        return PaymentStart(reference=payment.provider_reference, **payment.provider_data)
    start = get_provider(payment.provider).create_payment(payment)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.provider_reference:
            payment.provider_reference = start.reference
            payment.provider_data = {"redirect_url": start.redirect_url, "instructions": start.instructions}
            payment.save(update_fields=["provider_reference", "provider_data"])
    return PaymentStart(reference=payment.provider_reference, **payment.provider_data)


@transaction.atomic
def sandbox_card_pay(*, payment: Payment, by: User) -> Payment:
    """The buyer confirms an official-card payment on the sandbox's simulated card page."""
    order = _lock_order(payment.order)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer pays an order."))
    payment = _pending_payment_for(order, payment)
    if payment.provider != SandboxProvider.code or payment.method != PaymentMethod.OFFICIAL_CARD:
        raise ValidationError(_("This payment is not a sandbox card payment."), code="wrong_method")
    if not payment.provider_reference:
        payment.provider_reference = SandboxProvider().create_payment(payment).reference
    _mark_paid(order, payment, by=by, role=Actor.BUYER, method=payment.method)
    return payment


@transaction.atomic
def payment_confirm_transfer(*, payment: Payment, by: User, reference: str) -> Payment:
    """Ops confirm that a bank transfer for this payment arrived, with the bank's transaction
    reference (needs the ``orders.confirm_payment`` permission)."""
    if not (by.is_ops and by.has_perm("orders.confirm_payment")):
        raise PermissionDenied(_("You may not confirm payments."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the bank's transaction reference.")}, code="required")
    if len(reference) > 100:
        raise ValidationError({"reference": _("At most 100 characters.")}, code="invalid")
    order = _lock_order(payment.order)
    payment = _pending_payment_for(order, payment)
    if payment.method != PaymentMethod.BANK_TRANSFER:
        raise ValidationError(_("This payment is not a bank transfer."), code="wrong_method")
    payment.bank_reference = reference
    payment.confirmed_by = by
    _mark_paid(order, payment, by=by, role=Actor.OPS, bank_reference=reference)
    return payment


def payment_notification_handle(
    *, provider: str, headers: Mapping[str, str], body: bytes
) -> PaymentNotification:
    """Act on a provider's notification once. The signature is checked first (a bad one raises
    ValidationError with code "bad_signature" and nothing is stored); the same (provider, event id)
    again returns the stored notification and changes nothing."""
    gateway = get_provider(provider)
    event = gateway.verify_notification(headers, body)
    with transaction.atomic():
        try:
            with transaction.atomic():
                note = PaymentNotification.objects.create(
                    provider=gateway.code, event_id=event.event_id, payload=event.payload
                )
        except IntegrityError:
            return PaymentNotification.objects.get(provider=gateway.code, event_id=event.event_id)
        found = Payment.objects.filter(provider=gateway.code, provider_reference=event.reference).first()
        if found is None:
            result = "unknown payment"
        else:
            order = _lock_order(found.order)
            payment = Payment.objects.select_for_update().get(pk=found.pk)
            note.payment = payment
            result = _apply_provider_event(order, payment, event)
        note.result = result
        note.processed_at = timezone.now()
        note.save(update_fields=["payment", "result", "processed_at"])
    return note


def _apply_provider_event(order: Order, payment: Payment, event) -> str:
    if event.status == "failed":
        if payment.status != PaymentStatus.PENDING:
            return f"ignored: payment is {payment.status}"
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status"])
        return "failed"
    if payment.status == PaymentStatus.PAID:
        return "already paid"
    if payment.status != PaymentStatus.PENDING:
        return f"ignored: payment is {payment.status}"
    if order.status == OrderStatus.CANCELLED:
        return "ignored: order cancelled (refund by hand)"
    if money(event.amount) != payment.amount_due:
        return f"ignored: amount {money(event.amount)} is not {payment.amount_due}"
    _mark_paid(order, payment, by=None, role=Actor.SYSTEM, notification=event.event_id)
    return "paid"


def _refund(
    order: Order,
    payment: Payment,
    *,
    amount: Decimal,
    by: User | None,
    role: str,
    reason: str,
    after_sale: AfterSaleRequest | None = None,
) -> PaymentRefund:
    """Give back (paid) or waive (not yet paid) ``amount`` of a payment. Call holding the order's and
    the payment's locks. The sandbox answers at once; a real provider's refund is a network call."""
    if amount > payment.amount_due:
        raise ValidationError(
            _("Only %(left)s of this order can still be refunded.") % {"left": yuan(payment.amount_due)},
            code="too_much",
        )
    reference = ""
    if payment.status == PaymentStatus.PAID:
        reference = get_provider(payment.provider).refund(payment, amount)
    refund = PaymentRefund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason[:200],
        provider_reference=reference,
        after_sale=after_sale,
        actor=by,
    )
    payment.refunded_amount += amount
    if payment.refunded_amount == payment.amount:
        payment.status = PaymentStatus.REFUNDED
    payment.save(update_fields=["refunded_amount", "status"])
    _record(order, OrderAction.REFUNDED, by=by, role=role, reason=reason, amount=amount)
    return refund


# --- After-sales --------------------------------------------------------------------------------------


def _parse_amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        return None
    return amount


def _after_sale_event(
    request: AfterSaleRequest, action: str, previous: str, *, by: User, role: str, reason: str
):
    AfterSaleEvent.objects.create(
        request=request,
        action=action,
        from_status=previous,
        to_status=request.status,
        actor=by,
        actor_role=role,
        reason=reason,
    )


@transaction.atomic
def after_sale_open(
    *, order: Order, by: User, kind: str, reason: str, amount, photos: Iterable = ()
) -> AfterSaleRequest:
    """The buyer asks for a refund (or a return and refund) of up to what is left of the order
    total, within ORDER_AFTER_SALES_DAYS of receipt, with up to five photos (re-encoded, no EXIF)."""
    order = _lock_order(order)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer can ask for a refund or return."))
    if order.status not in (OrderStatus.RECEIVED, OrderStatus.COMPLETED):
        raise ValidationError(
            _("A refund or return can be requested once the order is received."), code="invalid_transition"
        )
    days = settings.ORDER_AFTER_SALES_DAYS
    if timezone.now() > order.received_at + datetime.timedelta(days=days):
        raise ValidationError(
            _(
                "Refunds and returns can be requested within %(days)d days of receipt; "
                "this order was received on %(date)s."
            )
            % {"days": days, "date": formats.date_format(timezone.localtime(order.received_at), "Y-m-d")},
            code="window_closed",
        )
    if order.after_sales.filter(status__in=[AfterSaleStatus.OPEN, AfterSaleStatus.DISPUTED]).exists():
        raise ValidationError(
            _("A request for this order is already being handled; wait for its answer."), code="pending"
        )
    errors: dict[str, list[str]] = {}
    if kind not in AfterSaleKind.values:
        errors["kind"] = [_("Choose refund only, or return and refund.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say what is wrong: the supplier will read it.")]
    parsed = _parse_amount(amount)
    refunded = order.after_sales.aggregate(total=Sum("refunded_amount"))["total"] or Decimal(0)
    left = order.total - refunded
    if parsed is None or parsed <= 0:
        errors["amount"] = [_("Enter an amount in yuan with at most two decimal places, above ¥0.00.")]
    elif parsed > left:
        errors["amount"] = [_("At most %(left)s can be requested for this order.") % {"left": yuan(left)}]
    photos = list(photos or [])
    cleaned = []
    if len(photos) > MAX_AFTER_SALE_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos.") % {"n": MAX_AFTER_SALE_PHOTOS}]
    else:
        for upload in photos:
            try:
                cleaned.append(clean_image(upload, max_side=PHOTO_MAX_SIDE))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    request = AfterSaleRequest.objects.create(
        order=order, kind=kind, reason=reason, amount=money(parsed), opened_by=by
    )
    for clean in cleaned:
        photo = AfterSalePhoto(request=request, sha256=clean.sha256)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()
    _after_sale_event(request, AfterSaleAction.OPEN, "", by=by, role=Actor.BUYER, reason=reason)
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("Refund or return requested for order %(number)s") % {"number": order.number},
        body=_("%(kind)s of %(amount)s: %(reason)s")
        % {"kind": request.get_kind_display(), "amount": yuan(request.amount), "reason": reason},
        link=_link(order, Actor.SUPPLIER),
    )
    return request


def _lock_request(request: AfterSaleRequest) -> tuple[Order, AfterSaleRequest]:
    order = _lock_order(request.order)
    return order, AfterSaleRequest.objects.select_for_update().get(pk=request.pk, order=order)


def _step(request: AfterSaleRequest, action: str, reason: str) -> str:
    step = AFTER_SALE_STEPS[action]
    if request.status not in step.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the request is “%(status)s”.")
            % {"action": AfterSaleAction(action).label, "status": request.get_status_display()},
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason: the other side will read it.")}, code="required")
    return reason


def _grant(order: Order, request: AfterSaleRequest, *, by: User, role: str, reason: str) -> None:
    payment = _live_payment(order)
    if payment is not None:
        label = _("After-sales request %(id)d") % {"id": request.pk}
        _refund(
            order,
            payment,
            amount=request.amount,
            by=by,
            role=role,
            reason=f"{label}: {reason}" if reason else label,
            after_sale=request,
        )
        # A refund waived in full before payment leaves nothing to pay: a received order is done.
        _complete_if_due(order)
    request.refunded_amount = request.amount


def _apply_step(
    request: AfterSaleRequest, action: str, *, by: User, role: str, reason: str, **fields
) -> None:
    previous = request.status
    request.status = AFTER_SALE_STEPS[action].target
    request.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    _after_sale_event(request, action, previous, by=by, role=role, reason=reason)


@transaction.atomic
def after_sale_respond(
    *, request: AfterSaleRequest, by: User, accept: bool, reason: str = ""
) -> AfterSaleRequest:
    """The supplier accepts (the refund is recorded on the payment at once) or refuses with a reason."""
    order, request = _lock_request(request)
    if actor_kind(by, order) != Actor.SUPPLIER:
        raise PermissionDenied(_("Only the supplier answers this request."))
    action = AfterSaleAction.ACCEPT if accept else AfterSaleAction.REFUSE
    reason = _step(request, action, reason)
    if accept:
        _grant(order, request, by=by, role=Actor.SUPPLIER, reason=reason)
    _apply_step(request, action, by=by, role=Actor.SUPPLIER, reason=reason, supplier_reason=reason)
    notify(
        users=_buyer_contacts(order),
        subject=_("Your request for order %(number)s: %(status)s")
        % {"number": order.number, "status": request.get_status_display()},
        body=_("Reason: %(reason)s") % {"reason": reason} if reason else request.get_status_display(),
        link=_link(order, Actor.BUYER),
    )
    return request


@transaction.atomic
def after_sale_dispute(*, request: AfterSaleRequest, by: User, reason: str) -> AfterSaleRequest:
    """The buyer objects to a refusal: customer service will decide."""
    order, request = _lock_request(request)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer can dispute this answer."))
    reason = _step(request, AfterSaleAction.DISPUTE, reason)
    _apply_step(
        request, AfterSaleAction.DISPUTE, by=by, role=Actor.BUYER, reason=reason, dispute_reason=reason
    )
    subject = _("Disputed refund or return for order %(number)s") % {"number": order.number}
    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=reason,
        link=_link(order, Actor.SUPPLIER),
    )
    notify(users=_customer_service(), subject=subject, body=reason, link="/admin/orders/aftersalerequest/")
    return request


@transaction.atomic
def after_sale_arbitrate(
    *, request: AfterSaleRequest, by: User, decision: str, reason: str
) -> AfterSaleRequest:
    """Customer service decides a disputed request (needs ``orders.arbitrate_aftersalerequest``):
    refund the buyer, or uphold the supplier's refusal. Both sides are told why."""
    if not (by.is_ops and by.has_perm("orders.arbitrate_aftersalerequest")):
        raise PermissionDenied(_("Only customer service decides disputes."))
    order, request = _lock_request(request)
    reason = _step(request, AfterSaleAction.ARBITRATE, reason)
    if decision not in ArbitrationDecision.values:
        raise ValidationError({"decision": _("Choose the decision.")}, code="required")
    if decision == ArbitrationDecision.REFUND:
        _grant(order, request, by=by, role=Actor.OPS, reason=reason)
    _apply_step(
        request,
        AfterSaleAction.ARBITRATE,
        by=by,
        role=Actor.OPS,
        reason=reason,
        decision=decision,
        decision_reason=reason,
    )
    subject = _("Decision on the request for order %(number)s: %(decision)s") % {
        "number": order.number,
        "decision": ArbitrationDecision(decision).label,
    }
    body = _("Reason: %(reason)s") % {"reason": reason}
    notify(users=_buyer_contacts(order), subject=subject, body=body, link=_link(order, Actor.BUYER))
    notify(
        users=_supplier_members(order.supplier_id),
        subject=subject,
        body=body,
        link=_link(order, Actor.SUPPLIER),
    )
    return request


# --- Reviews ------------------------------------------------------------------------------------------


@transaction.atomic
def review_add(
    *, order: Order, by: User, quality: int, price: int, service: int, comment: str = ""
) -> Review:
    """The buyer rates a completed order once: quality, price and service from 1 to 5."""
    order = _lock_order(order)
    if actor_kind(by, order) != Actor.BUYER:
        raise PermissionDenied(_("Only the buyer reviews an order."))
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("An order can be reviewed once it is completed."), code="not_completed")
    if Review.objects.filter(order=order).exists():
        raise ValidationError(_("This order has already been reviewed."), code="duplicate")
    errors = {}
    for name, value in (("quality", quality), ("price", price), ("service", service)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("Give 1 to 5 stars.")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        errors["comment"] = _("Keep the comment under %(n)d characters.") % {"n": 1000}
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        order=order,
        supplier_id=order.supplier_id,
        author=by,
        quality=quality,
        price=price,
        service=service,
        comment=comment,
    )
    notify(
        users=_supplier_members(order.supplier_id),
        subject=_("New review of order %(number)s") % {"number": order.number},
        body=_("Quality %(q)d, price %(p)d, service %(s)d. %(comment)s")
        % {"q": quality, "p": price, "s": service, "comment": comment},
        link=_link(order, Actor.SUPPLIER),
    )
    return review


@transaction.atomic
def review_reply(*, review: Review, by: User, text: str) -> Review:
    """The supplier answers a review, once."""
    review = Review.objects.select_for_update().select_related("order").get(pk=review.pk)
    if not (by.is_active and by.role == Role.SUPPLIER and by.supplier_id == review.supplier_id):
        raise PermissionDenied(_("Only the supplier replies to its reviews."))
    if review.replied_at is not None:
        raise ValidationError(_("You have already replied to this review."), code="duplicate")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your reply.")}, code="required")
    if len(text) > 1000:
        raise ValidationError({"text": _("Keep the reply under %(n)d characters.") % {"n": 1000}})
    review.reply, review.replied_by, review.replied_at = text, by, timezone.now()
    review.save(update_fields=["reply", "replied_by", "replied_at"])
    notify(
        users=_buyer_contacts(review.order),
        subject=_("The supplier replied to your review of order %(number)s")
        % {"number": review.order.number},
        body=text,
        link=_link(review.order, Actor.BUYER),
    )
    return review
