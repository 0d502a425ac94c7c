"""The one order in which the order services lock rows, written as code.

Two use cases that lock the same rows in different orders can wait for each other for ever. Every
lock the order services take goes through a function here, and each has a rank::

    cart → products (by id) → SKUs (by id) → order → after-sales request → payment → review

Catalogue writes take product then SKU too (catalog.services.sku_update). Inside one use case
(``atomic()``: a transaction with its own record of the locks taken) a row may only be locked when no
row of a higher rank is held yet; re-reading a row already held is always allowed. Breaking the order
raises ``LockOrderError`` at once, on SQLite as on PostgreSQL, so a test of each use case proves it.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from catalog.models import Product, Sku
from orders.models import AfterSaleRequest, Cart, Order, Payment, Review


class Rank(IntEnum):
    CART = 10
    PRODUCT = 20
    SKU = 30
    ORDER = 40
    AFTER_SALE = 50
    PAYMENT = 60
    REVIEW = 70


class LockOrderError(RuntimeError):
    """A row was locked after a row of a higher rank: two use cases could deadlock."""


@dataclass
class LockRecord:
    """The locks one use case has taken, in the order it took them: (rank, row key)."""

    taken: list[tuple[Rank, str]] = field(default_factory=list)

    @property
    def ranks(self) -> list[Rank]:
        return [rank for rank, _key in self.taken]

    def take(self, rank: Rank, keys: Iterable[str]) -> None:
        for key in keys:
            if any(held == key for _rank, held in self.taken):
                continue  # re-reading a row this use case already holds waits for nothing
            highest = max(self.taken, default=None)
            if highest is not None and highest[0] > rank:
                raise LockOrderError(
                    f"{key} ({rank.name}) locked while holding {highest[1]} ({highest[0].name})"
                )
            self.taken.append((rank, key))


_current: ContextVar[LockRecord | None] = ContextVar("orders_lock_record", default=None)


@contextmanager
def atomic() -> Iterator[LockRecord]:
    """One use case: a transaction and the record of the locks it takes (a nested call joins both)."""
    record = _current.get()
    if record is not None:
        with transaction.atomic():
            yield record
        return
    record = LockRecord()
    token = _current.set(record)
    try:
        with transaction.atomic():
            yield record
    finally:
        _current.reset(token)


def _take(rank: Rank, rows: Iterable) -> None:
    record = _current.get()
    if record is not None:
        record.take(rank, [f"{row._meta.label}:{row.pk}" for row in rows])


def lock_cart(user: User) -> Cart:
    """The buyer's cart (made if missing), locked: the first lock of a cart change or a checkout."""
    Cart.objects.get_or_create(user=user)
    return lock_cart_of(user)


def lock_cart_of(user: User) -> Cart | None:
    """The buyer's cart if there is one, locked."""
    cart = Cart.objects.select_for_update().filter(user=user).first()
    if cart is not None:
        _take(Rank.CART, [cart])
    return cart


def lock_for_checkout(sku_ids: Iterable[int]) -> dict[int, Sku]:
    """Lock the products of these SKUs, then the SKUs, each in id order; return the SKUs (fresh rows,
    with their product and its supplier). Call inside ``atomic()``."""
    sku_ids = sorted(set(sku_ids))
    product_ids = sorted(set(Sku.objects.filter(pk__in=sku_ids).values_list("product_id", flat=True)))
    products = {
        p.pk: p
        for p in Product.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .filter(pk__in=product_ids)
        .order_by("pk")
    }
    _take(Rank.PRODUCT, products.values())
    skus = {s.pk: s for s in Sku.objects.select_for_update().filter(pk__in=sku_ids).order_by("pk")}
    _take(Rank.SKU, skus.values())
    for sku in skus.values():
        sku.product = products[sku.product_id]
    return skus


def lock_order(order: Order | int, *, among: QuerySet[Order] | None = None) -> Order | None:
    """The order re-read under its lock. With ``among``, None when the order is no longer in it (e.g.
    no longer due); without, the order must exist."""
    pk = order if isinstance(order, int) else order.pk
    rows = (among if among is not None else Order.objects).select_for_update().filter(pk=pk)
    locked = rows.first() if among is not None else rows.get()
    if locked is not None:
        _take(Rank.ORDER, [locked])
    return locked


def lock_stock_and_order(order: Order) -> Order:
    """For a step that may give stock back: the products and SKUs of the order's lines, then the
    order (its lines never change, so they can be read before the order is locked)."""
    lock_for_checkout(order.lines.values_list("sku_id", flat=True))
    return lock_order(order)


def lock_after_sale(request: AfterSaleRequest) -> tuple[Order, AfterSaleRequest]:
    """The request's order, then the request."""
    order = lock_order(request.order_id)
    request = AfterSaleRequest.objects.select_for_update().get(pk=request.pk, order=order)
    _take(Rank.AFTER_SALE, [request])
    return order, request


def lock_payment(order: Order, payment: Payment | None = None) -> Payment | None:
    """``payment`` of ``order`` under its lock, or, without one, the order's current payment
    (``Order.current_payment``, read on the locked order) under its lock; None when it has none.
    Call holding the order's lock."""
    payment = payment if payment is not None else order.current_payment
    if payment is None:
        return None
    locked = Payment.objects.select_for_update().get(pk=payment.pk, order=order)
    _take(Rank.PAYMENT, [locked])
    return locked


def lock_payment_alone(payment: Payment) -> Payment:
    """A payment by itself (storing the provider's reference, no other row locked)."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    _take(Rank.PAYMENT, [locked])
    return locked


def lock_review(review: Review) -> Review:
    locked = Review.objects.select_for_update().select_related("order").get(pk=review.pk)
    _take(Rank.REVIEW, [locked])
    return locked
