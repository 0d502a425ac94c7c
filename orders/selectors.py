"""Reads for the order pages, the API and the services, scoped to who asks, with their joins."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from orders.models import (
    AfterSaleEvent,
    AfterSaleRequest,
    CartItem,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    Review,
)
from suppliers.models import Supplier


def cart_items(*, user: User) -> QuerySet[CartItem]:
    """The user's cart with what its page shows (product, supplier), oldest first."""
    return (
        CartItem.objects.filter(cart__user=user)
        .select_related("sku__product__supplier")
        .order_by("added_at", "id")
    )


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("supplier", "buyer_unit").prefetch_related(
        "lines",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id")),
        Prefetch("payments", queryset=Payment.objects.order_by("-created_at", "-id")),
    )


def orders_for(*, user: User) -> QuerySet[Order]:
    """The orders ``user`` may see: its unit's (buyer), its supplier's (supplier), all (ops who may
    view orders); none for anyone else."""
    qs = Order.objects.select_related("supplier", "buyer_unit").order_by("-placed_at", "-id")
    if not user.is_active:
        return qs.none()
    if user.role == Role.BUYER and user.buyer_unit_id:
        return qs.filter(buyer_unit_id=user.buyer_unit_id)
    if user.role == Role.SUPPLIER and user.supplier_id:
        return qs.filter(supplier_id=user.supplier_id)
    if user.is_ops and user.has_perm("orders.view_order"):
        return qs
    return qs.none()


# Order.number's column. A longer text, or one holding a NUL byte (which PostgreSQL refuses in any
# text parameter, failing the request), cannot be an order number: it is not looked up at all.
NUMBER_MAX_LENGTH = 32


def could_be_order_number(text: str) -> bool:
    return 0 < len(text) <= NUMBER_MAX_LENGTH and "\x00" not in text


def order_detail(*, user: User, number: str) -> Order | None:
    """One order with its lines, history and payments, if ``user`` may see it."""
    if not could_be_order_number(number):
        return None
    return _with_details(orders_for(user=user)).filter(number=number).first()


@dataclass(frozen=True)
class Ratings:
    count: int
    quality: Decimal | None
    price: Decimal | None
    service: Decimal | None
    overall: Decimal | None  # the mean of the three


def _one_place(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def supplier_ratings(*, supplier: Supplier) -> Ratings:
    """A supplier's average ratings over all its reviews, one decimal place (one query)."""
    row = Review.objects.filter(supplier=supplier).aggregate(
        count=Count("id"), quality=Avg("quality"), price=Avg("price"), service=Avg("service")
    )
    parts = (row["quality"], row["price"], row["service"])
    return Ratings(
        count=row["count"],
        quality=_one_place(row["quality"]),
        price=_one_place(row["price"]),
        service=_one_place(row["service"]),
        overall=_one_place(sum(parts) / 3) if row["count"] else None,
    )


# --- The supplier's order pages, export and API -----------------------------------------------------


@dataclass(frozen=True)
class SupplierOrderFilter:
    """What the supplier's order list is narrowed to (every field optional)."""

    status: str = ""
    placed_from: datetime.date | None = None
    placed_to: datetime.date | None = None
    buyer: str = ""  # part of the buyer unit's name
    number: str = ""  # part of the order number


def _day_start(day: datetime.date, *, days_after: int = 0) -> datetime.datetime | None:
    """Local midnight ``days_after`` days after ``day``, or None at the ends of the calendar, where
    that day or its UTC equivalent (what the database compares) does not exist: nothing lies
    beyond, so no bound is needed on that side."""
    try:
        moment = datetime.datetime.combine(day + datetime.timedelta(days=days_after), datetime.time.min)
        moment = timezone.make_aware(moment)
        moment.astimezone(datetime.UTC)
    except OverflowError:
        return None
    return moment


def _supplier_orders_unfiltered_by_status(*, supplier_id: int | None, filters: SupplierOrderFilter):
    # Scoped at the query: a supplier only ever reads rows carrying its own id.
    qs = Order.objects.filter(supplier_id=supplier_id) if supplier_id else Order.objects.none()
    start = _day_start(filters.placed_from) if filters.placed_from else None
    if start:
        qs = qs.filter(placed_at__gte=start)
    end = _day_start(filters.placed_to, days_after=1) if filters.placed_to else None
    if end:
        qs = qs.filter(placed_at__lt=end)
    if "\x00" in filters.buyer + filters.number:
        return qs.none()  # no stored text holds one (and PostgreSQL refuses it as a parameter)
    if filters.buyer:
        qs = qs.filter(buyer_unit__name__icontains=filters.buyer)
    if filters.number:
        qs = qs.filter(number__icontains=filters.number)
    return qs


def supplier_orders(
    *, supplier_id: int | None, filters: SupplierOrderFilter | None = None
) -> QuerySet[Order]:
    """The supplier's own orders matching ``filters``, newest first, with the buyer unit joined."""
    filters = filters or SupplierOrderFilter()
    qs = _supplier_orders_unfiltered_by_status(supplier_id=supplier_id, filters=filters)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.select_related("buyer_unit").order_by("-placed_at", "-id")


def supplier_order_counts(
    *, supplier_id: int | None, filters: SupplierOrderFilter | None = None
) -> dict[str, int]:
    """Orders per status under every filter but the status (for the tabs), in one query."""
    qs = _supplier_orders_unfiltered_by_status(
        supplier_id=supplier_id, filters=filters or SupplierOrderFilter()
    )
    counts = dict.fromkeys(OrderStatus.values, 0)
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def supplier_order_export_lines(
    *, supplier_id: int | None, filters: SupplierOrderFilter | None = None
) -> Iterator[OrderLine]:
    """Every line of the matching orders with its order, buyer unit and province, read in chunks
    (for a streamed CSV export)."""
    orders = supplier_orders(supplier_id=supplier_id, filters=filters)
    return (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .select_related("order__buyer_unit", "order__delivery_province")
        .order_by("-order__placed_at", "-order_id", "id")
        .iterator(chunk_size=1000)
    )


def supplier_order_detail(*, supplier_id: int | None, number: str) -> Order | None:
    """One of the supplier's own orders with everything its page shows: lines, history, payments,
    after-sales requests (with photos and their history), the review."""
    if not supplier_id or not could_be_order_number(number):
        return None
    return (
        _with_details(Order.objects.filter(supplier_id=supplier_id, number=number))
        .select_related("review", "delivery_province")
        .prefetch_related(
            Prefetch(
                "after_sales",
                queryset=AfterSaleRequest.objects.order_by("-created_at", "-id").prefetch_related(
                    "photos", Prefetch("events", queryset=AfterSaleEvent.objects.select_related("actor"))
                ),
            )
        )
        .first()
    )


def order_after_sales(*, order: Order) -> list[AfterSaleRequest]:
    """An order's after-sales requests with their photos, newest first."""
    return list(
        AfterSaleRequest.objects.filter(order=order).prefetch_related("photos").order_by("-created_at", "-id")
    )


def order_review(*, order: Order) -> Review | None:
    return Review.objects.filter(order=order).first()
