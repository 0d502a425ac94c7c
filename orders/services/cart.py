"""The buyer's cart: what goes in, how much, at which price seen."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Sku
from orders import locks
from orders.models import (
    Cart,
    CartItem,
)
from orders.services._common import _require_buyer

MAX_LINE_QUANTITY = 9999

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
    return locks.lock_cart(user)


def _own_item(user: User, item: CartItem) -> CartItem:
    # Scoped by the owner at the query: another user's item is simply not found.
    own = CartItem.objects.select_related("sku__product").filter(pk=item.pk, cart__user=user).first()
    if own is None:
        raise PermissionDenied(_("This item is not in your cart."))
    return own


@locks.atomic()
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


@locks.atomic()
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


@locks.atomic()
def cart_remove(*, user: User, item: CartItem) -> None:
    """Take an item out of the buyer's own cart."""
    _require_buyer(user)
    _locked_cart(user)
    _own_item(user, item).delete()


@locks.atomic()
def cart_acknowledge_prices(*, user: User) -> int:
    """Record that the buyer has seen the current price of every item in the cart."""
    changed = 0
    for item in CartItem.objects.filter(cart__user=user).select_related("sku"):
        if (item.price_seen, item.unit_price_seen) != (item.sku.price, item.sku.unit_price):
            item.price_seen, item.unit_price_seen = item.sku.price, item.sku.unit_price
            item.save(update_fields=["price_seen", "unit_price_seen"])
            changed += 1
    return changed
