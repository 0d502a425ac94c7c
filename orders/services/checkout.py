"""Checkout: the cart as one order per supplier, priced from the locked SKUs, its stock taken atomically."""

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from buyers.models import DeliveryAddress
from buyers.services import address_problems
from catalog import stock
from catalog.models import StockReason
from core.money import money, yuan
from core.workflow import Actor, record
from orders import locks
from orders.models import (
    CartItem,
    Checkout,
    InvoiceType,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
)
from orders.payments import get_provider
from orders.services._common import _link, _require_buyer, _supplier_members
from orders.services.cart import _availability_problem, _item_label, cart_acknowledge_prices
from orders.workflow import (
    ORDER_WORKFLOW,
    OrderAction,
)

# Decimal(12, 2): the largest amount one order (and one payment) can hold.
MAX_ORDER_TOTAL = Decimal("9999999999.99")
NOTE_MAX_LENGTH = 500

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
        with locks.atomic():
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
    cart = locks.lock_cart_of(user)
    # A click that was waiting for the cart lock finds what the first click made.
    existing = _existing_orders(user, key)
    if existing is not None:
        return existing
    items = list(CartItem.objects.filter(cart=cart).order_by("id")) if cart else []
    if not items:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")
    skus = locks.lock_for_checkout(item.sku_id for item in items)
    items = [item for item in items if item.sku_id in skus]
    for item in items:
        item.sku = skus[item.sku_id]
    preview = _checked_preview(items, fingerprint)
    now = timezone.now()
    try:
        with transaction.atomic():
            checkout = Checkout.objects.create(
                placed_by=user,
                buyer_unit=user.buyer_unit,
                idempotency_key=key,
                fingerprint=preview.fingerprint,
                total=preview.total,
                created_at=now,
            )
    except IntegrityError:
        # Only reachable if a concurrent click got past the cart lock (it cannot): the constraint
        # is the guarantee, this is the answer.
        return _existing_orders(user, key) or []
    orders = [
        _create_order(
            checkout,
            group,
            number=f"FS{timezone.localdate(now).strftime('%Y%m%d')}-{checkout.pk:06d}-{index}",
            address=address,
            invoice_type=invoice_type,
            note=note,
            payment_method=payment_method,
        )
        for index, group in enumerate(preview.groups, start=1)
    ]
    order_of_sku = {line.sku_id: order for order in orders for line in order.placed_lines}
    _take_stock(items, order_of_sku, by=user, now=now)
    CartItem.objects.filter(cart=cart).delete()
    for order in orders:
        notify(
            users=_supplier_members(order.supplier_id),
            subject=lambda order=order: _("New order %(number)s") % {"number": order.number},
            body=lambda order=order: (
                _("%(unit)s ordered goods for %(total)s. Please confirm the order.")
                % {"unit": checkout.buyer_unit.name, "total": yuan(order.total)}
            ),
            link=_link(order, Actor.SUPPLIER),
        )
    return orders


def _checked_preview(items: list[CartItem], fingerprint: str) -> CheckoutPreview:
    """The preview of the locked items, refused when a line cannot be served or the buyer confirmed other
    totals."""
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
    return preview


def _create_order(
    checkout: Checkout,
    group: PreviewGroup,
    *,
    number: str,
    address: DeliveryAddress,
    invoice_type: str,
    note: str,
    payment_method: str,
) -> Order:
    """One supplier's order of a checkout: its lines, its payment and the first entry of its history."""
    unit, now = checkout.buyer_unit, checkout.created_at
    order = Order.objects.create(
        number=number,
        checkout=checkout,
        buyer_unit=unit,
        placed_by=checkout.placed_by,
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
    order.placed_lines = group.lines
    Payment.objects.create(
        order=order, method=payment_method, amount=order.total, provider=get_provider().code, created_at=now
    )
    record(
        ORDER_WORKFLOW,
        order,
        action=OrderAction.PLACE,
        previous="",
        by=checkout.placed_by,
        actor=Actor.BUYER,
        details={"checkout": checkout.pk},
    )
    return order


def _take_stock(
    items: list[CartItem], order_of_sku: Mapping[int, Order], *, by: User, now: datetime.datetime
) -> None:
    """Take the ordered quantities off the locked SKUs, in the ledger too."""
    sold: dict[int, int] = defaultdict(int)
    movements = []
    for item in sorted(items, key=lambda i: i.sku_id):
        sku = item.sku
        # Under the lock this always succeeds; catalog.stock.take refuses rather than go below zero.
        if not stock.take(sku=sku, quantity=item.quantity):
            raise ValidationError(
                _("“%(item)s” is sold out.") % {"item": _item_label(sku)}, code="unavailable"
            )
        sold[sku.product_id] += item.quantity
        movements.append(
            stock.movement(
                sku,
                change=-item.quantity,
                reason=StockReason.ORDER_PLACED,
                reference=order_of_sku[sku.pk].number,
                by=by,
                at=now,
            )
        )
    stock.record(movements)
    stock.refresh_product_totals(sold, sold)
