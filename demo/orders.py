"""Demo order history: a year of orders by the demo buyer units, and their reserved share filings.

Made in bulk (``bulk_create``), not through ``orders.services.place_orders`` one by one, but
consistent with what the services make: every order total is the sum of its lines (two places,
no shipping fee), its status and stage timestamps follow the lifecycle, each stage has its
``OrderEvent``, completed orders have a paid ``Payment`` (official card paid when ordering, bank
transfers confirmed by customer service after receipt), cancelled ones a cancelled payment.

Historical demo orders have no ``StockMovement`` rows and do not reduce stock (nor raise
products' ``sales_count``): they stand for purchases whose stock was replenished long ago, and the
catalogue demo's stock stays what demo.catalog set.

Orders follow the seasons: more in the three weeks before 春节 and 中秋/国庆, fewer in the summer
holidays, none at weekends. ``seed_demo --orders-months N`` sets how far back (default 12; 0 for
none). Idempotent: nothing happens when demo orders exist (checkouts keyed
"demo-…"). Every random choice comes from ``ctx.rng``; dates are relative to today.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_create
from buyers.models import BuyerUnit, Canteen, ReservedShareFiling
from buyers.services import buyer_unit_create, buyer_unit_set_parent, reserved_share_file
from catalog.models import ProductStatus, Sku
from core.money import CENT
from demo import DEMO_PASSWORD, DemoContext, make_uscc
from orders.models import (
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from orders.payments import get_provider
from orders.workflow import Actor, OrderAction
from suppliers.models import SupplierStatus

# unit key -> (buyer username, family name, given name, orders per month)
BUYERS = {
    "main": ("buyer", "李", "静", 14),
    "union": ("buyer-union", "周", "建华", 3),
    "finance": ("buyer-finance", "何", "小燕", 5),
    "school": ("buyer-school", "陈", "晓梅", 4),
    "hospital": ("buyer-hospital", "林", "海波", 10),
    "ministry": ("buyer-ministry", "许", "文", 6),
    "university": ("buyer-university", "马", "骏", 12),
}
# A unit that eats in the canteen of 武汉市机关事务管理局 (the "main" demo unit).
FINANCE = ("武汉市财政局", "420100")

# unit key -> (reserved ratio, target as a share of the last year's spending); "ministry" does not file,
# "school" files a target far above its spending (behind pace), "finance" shares main's canteen.
FILINGS = {
    "main": (Decimal("0.150"), Decimal("0.9")),
    "school": (Decimal("0.100"), Decimal("2.5")),
    "hospital": (Decimal("0.120"), Decimal("0.85")),
    "university": (Decimal("0.100"), Decimal("0.95")),
}

# Festival days (lunar calendar): buying rises in the three weeks before them.
FESTIVALS = [
    datetime.date(2024, 2, 10),
    datetime.date(2024, 9, 17),
    datetime.date(2025, 1, 29),
    datetime.date(2025, 10, 6),
    datetime.date(2026, 2, 17),
    datetime.date(2026, 9, 25),
    datetime.date(2027, 2, 6),
    datetime.date(2027, 9, 15),
    datetime.date(2028, 1, 26),
    datetime.date(2028, 10, 3),
    datetime.date(2029, 2, 13),
    datetime.date(2029, 9, 22),
]
CARRIERS = ["顺丰速运", "中国邮政EMS", "京东物流", "中通快递"]
SUPPLIER_CANCEL_REASONS = ["库存不足，无法按时发货", "配送范围暂不覆盖该地址", "价格调整，请重新下单"]


def season_weight(day: datetime.date) -> float:
    """Relative buying on ``day``: 2.5 in the 3 weeks before 春节 or 中秋 (and 国庆), 0.7 in July and
    August, 1 otherwise; 0 at weekends."""
    if day.weekday() >= 5:
        return 0.0
    for festival in [*FESTIVALS, *(datetime.date(y, 10, 1) for y in range(2024, 2030))]:
        if 0 < (festival - day).days <= 21:
            return 2.5
    return 0.7 if day.month in (7, 8) else 1.0


def _ensure_units_and_buyers(ctx: DemoContext) -> dict[str, tuple[BuyerUnit, User]]:
    """The demo units (a 财政局 sharing main's canteen added, the union attached to main) and one
    buyer user each."""
    units = {key: ctx.made[f"buyer:{key}"] for key in BUYERS if f"buyer:{key}" in ctx.made}
    if "main" not in units:
        return {}
    finance = BuyerUnit.objects.filter(name=FINANCE[0]).first()
    if finance is None:
        finance = buyer_unit_create(
            name=FINANCE[0],
            uscc=make_uscc(ctx.rng, authority_and_type="11", division_code=FINANCE[1]),
            kind=BuyerUnit.Kind.GOVERNMENT_AGENCY,
            province=units["main"].province,
        )
        ctx.count("buyer units")
    units["finance"] = ctx.made["buyer:finance"] = finance
    union = units.get("union")
    if union is not None and union.parent_unit_id is None:
        units["union"] = buyer_unit_set_parent(unit=union, parent=units["main"])
    users = {u.username: u for u in User.objects.filter(username__in=[b[0] for b in BUYERS.values()])}
    out = {}
    for key, unit in units.items():
        username, last, first, _rate = BUYERS[key]
        user = users.get(username)
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=Role.BUYER,
                buyer_unit=unit,
                last_name=last,
                first_name=first,
                email=f"{username}@fengshou.example",
            )
            ctx.count("users")
        ctx.made[f"user:{username}"] = user
        out[key] = (unit, user)
    return out


def _catalogue() -> tuple[dict[int, list[Sku]], dict[int, User]]:
    """On-sale SKUs of active suppliers (the first 400, so a huge catalogue stays fast), by supplier,
    and one member of each supplier to act for it."""
    skus = list(
        Sku.objects.filter(
            is_active=True,
            product__status=ProductStatus.ON_SALE,
            product__supplier__status=SupplierStatus.ACTIVE,
        )
        .select_related("product")
        .order_by("id")[:400]
    )
    by_supplier: dict[int, list[Sku]] = defaultdict(list)
    for sku in skus:
        by_supplier[sku.product.supplier_id].append(sku)
    members = {}
    for user in User.objects.filter(role=Role.SUPPLIER, supplier_id__in=list(by_supplier)).order_by("id"):
        members.setdefault(user.supplier_id, user)
    return {k: v for k, v in by_supplier.items() if k in members}, members


def seed(ctx: DemoContext) -> None:
    months = ctx.options.get("orders_months", 12)
    if months <= 0 or Checkout.objects.filter(idempotency_key__startswith="demo-").exists():
        return
    days = round(months * 365 / 12)
    buyers = _ensure_units_and_buyers(ctx)
    by_supplier, members = _catalogue()
    if not buyers or not by_supplier:
        return
    rng = ctx.rng
    service = (
        ctx.made.get("user:ops-service") or User.objects.filter(role=Role.OPS, is_superuser=True).first()
    )
    provider = get_provider().code
    now = timezone.now()
    today = timezone.localdate(now)

    # 1. Decide every order: who, when, what, and how far it got.
    plans = _plan_orders(rng, buyers=buyers, days=days, now=now, today=today, by_supplier=by_supplier)

    # 2. Checkouts (one per order), then orders, then their lines, payments and history.
    checkouts = _checkouts(plans, buyers)
    orders = Order.objects.bulk_create(
        [_order(rng, plan, checkout, buyers) for plan, checkout in zip(plans, checkouts, strict=True)],
        batch_size=1000,
    )
    lines, payments, events = [], [], []
    for plan, order in zip(plans, orders, strict=True):
        lines.extend(_lines(plan, order))
        payments.append(_payment(plan, order, provider, service))
        events.extend(
            _events(
                plan,
                order,
                buyer=buyers[plan["key"]][1],
                supplier=members[plan["supplier_id"]],
                service=service,
            )
        )
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    Payment.objects.bulk_create(payments, batch_size=2000)
    OrderEvent.objects.bulk_create(events, batch_size=2000)
    ctx.count("demo orders", len(orders))

    _file_reserved_shares(buyers, plans, today)


def _plan_orders(rng, *, buyers, days: int, now, today: datetime.date, by_supplier) -> list[dict]:
    """Each working day's orders by each buyer, as many as its rate and the season say, oldest first."""
    tz = timezone.get_current_timezone()
    supplier_ids = sorted(by_supplier)
    plans = []
    for offset in range(days, -1, -1):
        day = today - datetime.timedelta(days=offset)
        weight = season_weight(day)
        if not weight:
            continue
        for key in sorted(buyers):
            rate = BUYERS[key][3] * weight / 21.7
            count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(count):
                placed = datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=tz
                )
                if placed >= now:
                    continue
                plans.append(_plan(rng, key, placed, now, supplier_ids, by_supplier))
    plans.sort(key=lambda p: p["placed"])
    return plans


def _checkouts(plans, buyers) -> list[Checkout]:
    return Checkout.objects.bulk_create(
        [
            Checkout(
                placed_by=buyers[p["key"]][1],
                buyer_unit=buyers[p["key"]][0],
                idempotency_key=f"demo-{i:06d}",
                fingerprint="demo",
                total=p["total"],
                created_at=p["placed"],
            )
            for i, p in enumerate(plans)
        ],
        batch_size=1000,
    )


def _order(rng, plan, checkout: Checkout, buyers) -> Order:
    unit, user = buyers[plan["key"]]
    placed = plan["placed"]
    stamps = plan["stamps"]
    return Order(
        number=f"FS{timezone.localdate(placed):%Y%m%d}-{checkout.pk:06d}-1",
        checkout=checkout,
        buyer_unit=unit,
        placed_by=user,
        supplier_id=plan["supplier_id"],
        status=plan["status"],
        status_changed_at=max(t for t in stamps.values() if t is not None),
        goods_total=plan["total"],
        total=plan["total"],
        payment_method=plan["method"],
        recipient=user.display_name,
        phone=f"027-8555{rng.randint(1000, 9999)}",
        delivery_province=unit.province,
        address=f"{unit.province.name} {unit.address or unit.name + ' 收发室'}",
        invoice_title=unit.name,
        invoice_uscc=unit.uscc,
        invoice_type="ordinary",
        carrier=plan["carrier"] if stamps["shipped"] else "",
        tracking_number=plan["tracking"] if stamps["shipped"] else "",
        cancel_reason=plan["cancel_reason"],
        placed_at=placed,
        confirmed_at=stamps["confirmed"],
        shipped_at=stamps["shipped"],
        received_at=stamps["received"],
        completed_at=stamps["completed"],
        cancelled_at=stamps["cancelled"],
    )


def _lines(plan, order: Order) -> list[OrderLine]:
    return [
        OrderLine(
            order=order,
            sku=sku,
            product_id=sku.product_id,
            product_name=sku.product.name,
            spec=sku.spec,
            price=sku.price,
            quantity=quantity,
            line_total=(sku.price * quantity).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for sku, quantity in plan["lines"]
    ]


def _plan(rng, key, placed, now, supplier_ids, by_supplier) -> dict:
    supplier_id = rng.choice(supplier_ids)
    skus = by_supplier[supplier_id]
    chosen = rng.sample(skus, k=min(len(skus), rng.randint(1, 3)))
    lines = [(sku, rng.randint(2, 30)) for sku in chosen]
    total = sum(((sku.price * q).quantize(CENT, rounding=ROUND_HALF_UP) for sku, q in lines), Decimal("0.00"))
    method = PaymentMethod.OFFICIAL_CARD if rng.random() < 0.6 else PaymentMethod.BANK_TRANSFER
    hours = datetime.timedelta(hours=1)
    stamps = dict.fromkeys(["placed", "confirmed", "shipped", "received", "completed", "cancelled"])
    stamps["placed"] = placed
    cancel_by, cancel_reason, paid_at = None, "", None
    if rng.random() < 0.06:
        cancel_by = Actor.SUPPLIER if rng.random() < 0.5 else Actor.BUYER
        cancel_reason = rng.choice(SUPPLIER_CANCEL_REASONS) if cancel_by == Actor.SUPPLIER else ""
        cancelled = placed + rng.uniform(1, 20) * hours
        stamps["cancelled"] = cancelled if cancelled <= now else None
        cancel_by = cancel_by if stamps["cancelled"] else None
    if not cancel_by:
        confirmed = placed + rng.uniform(2, 20) * hours
        shipped = confirmed + rng.uniform(8, 40) * hours
        received = shipped + rng.uniform(24, 96) * hours
        paid_at = (
            placed + rng.uniform(0.1, 1) * hours
            if method == PaymentMethod.OFFICIAL_CARD
            else received + rng.uniform(24, 144) * hours
        )
        for name, when in (("confirmed", confirmed), ("shipped", shipped), ("received", received)):
            stamps[name] = when if when <= now else None
        paid_at = paid_at if paid_at <= now else None
        if stamps["received"] and paid_at:
            stamps["completed"] = max(stamps["received"], paid_at)
    status = next(
        s
        for s, stamp in (
            (OrderStatus.CANCELLED, "cancelled"),
            (OrderStatus.COMPLETED, "completed"),
            (OrderStatus.RECEIVED, "received"),
            (OrderStatus.SHIPPED, "shipped"),
            (OrderStatus.CONFIRMED, "confirmed"),
            (OrderStatus.PLACED, "placed"),
        )
        if stamps[stamp]
    )
    return {
        "key": key,
        "placed": placed,
        "supplier_id": supplier_id,
        "lines": lines,
        "total": total,
        "method": method,
        "stamps": stamps,
        "status": status,
        "paid_at": paid_at,
        "cancel_by": cancel_by,
        "cancel_reason": cancel_reason,
        "carrier": rng.choice(CARRIERS),
        "tracking": f"DEMO{rng.randint(10**11, 10**12 - 1)}",
    }


def _payment(plan, order: Order, provider: str, service: User | None) -> Payment:
    paid_at = plan["paid_at"]
    if plan["status"] == OrderStatus.CANCELLED:
        status = PaymentStatus.CANCELLED
    else:
        status = PaymentStatus.PAID if paid_at else PaymentStatus.PENDING
    card = plan["method"] == PaymentMethod.OFFICIAL_CARD
    paid = status == PaymentStatus.PAID
    return Payment(
        order=order,
        method=plan["method"],
        amount=order.total,
        status=status,
        provider=provider,
        provider_reference=f"demo-{order.number}" if paid and card else "",
        bank_reference=f"DEMO{order.number.replace('-', '')}" if paid and not card else "",
        confirmed_by=service if paid and not card else None,
        created_at=plan["placed"],
        paid_at=paid_at if paid else None,
    )


def _events(plan, order: Order, *, buyer: User, supplier: User, service: User | None) -> list[OrderEvent]:
    s = plan["stamps"]
    steps = [(plan["placed"], OrderAction.PLACE, "", OrderStatus.PLACED, buyer, Actor.BUYER, "", {})]
    if plan["cancel_by"]:
        by = supplier if plan["cancel_by"] == Actor.SUPPLIER else buyer
        steps.append(
            (
                s["cancelled"],
                OrderAction.CANCEL,
                OrderStatus.PLACED,
                OrderStatus.CANCELLED,
                by,
                plan["cancel_by"],
                plan["cancel_reason"],
                {},
            )
        )
    chain = [
        (
            "confirmed",
            OrderAction.CONFIRM,
            OrderStatus.PLACED,
            OrderStatus.CONFIRMED,
            supplier,
            Actor.SUPPLIER,
            {},
        ),
        (
            "shipped",
            OrderAction.SHIP,
            OrderStatus.CONFIRMED,
            OrderStatus.SHIPPED,
            supplier,
            Actor.SUPPLIER,
            {"carrier": order.carrier, "tracking_number": order.tracking_number},
        ),
        ("received", OrderAction.RECEIVE, OrderStatus.SHIPPED, OrderStatus.RECEIVED, buyer, Actor.BUYER, {}),
        (
            "completed",
            OrderAction.COMPLETE,
            OrderStatus.RECEIVED,
            OrderStatus.COMPLETED,
            None,
            Actor.SYSTEM,
            {},
        ),
    ]
    for stamp, action, source, target, actor, role, details in chain:
        if s[stamp]:
            steps.append((s[stamp], action, source, target, actor, role, "", details))
    if plan["paid_at"] and plan["status"] != OrderStatus.CANCELLED:
        steps.append(_payment_step(plan, order, steps, buyer=buyer, service=service))
    steps.sort(key=lambda step: (step[0], step[1] == OrderAction.COMPLETE))
    return [
        OrderEvent(
            order=order,
            action=action,
            from_status=source,
            to_status=target,
            actor=actor,
            actor_role=role,
            reason=reason,
            details=details,
            created_at=when,
        )
        for when, action, source, target, actor, role, reason, details in steps
    ]


def _payment_step(plan, order: Order, steps, *, buyer: User, service: User | None) -> tuple:
    """The payment's history entry, at the status the order had when the money came."""
    paid_at = plan["paid_at"]
    status_then = max((step for step in steps if step[0] <= paid_at), key=lambda step: step[0])[3]
    card = plan["method"] == PaymentMethod.OFFICIAL_CARD
    return (
        paid_at,
        OrderAction.PAYMENT_RECEIVED,
        status_then,
        status_then,
        buyer if card else service,
        Actor.BUYER if card else Actor.OPS,
        "",
        {"amount": str(order.total)},
    )


def _file_reserved_shares(buyers, plans, today: datetime.date) -> None:
    """Filings for this year through the service: most units file a target near their spending over
    the last year, the school one far above it (behind pace), the 财政局 shares main's canteen, the
    ministry files nothing."""
    spent: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    account = {"union": "main", "finance": "main"}
    for plan in plans:
        if plan["status"] == OrderStatus.COMPLETED:
            spent[account.get(plan["key"], plan["key"])] += plan["total"]
    year = today.year
    existing = set(
        ReservedShareFiling.objects.filter(
            year=year, buyer_unit__in=[u for u, _ in buyers.values()]
        ).values_list("buyer_unit_id", flat=True)
    )
    for key, (ratio, share) in FILINGS.items():
        if key not in buyers or buyers[key][0].pk in existing:
            continue
        unit, user = buyers[key]
        target = max(spent[key] * share, Decimal("10000"))
        budget = ((target / ratio) / 10000).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 10000
        reserved_share_file(
            unit=unit, year=year, by=user, canteen=Canteen.OWN, canteen_food_budget=budget, ratio=ratio
        )
    if "finance" in buyers and buyers["finance"][0].pk not in existing:
        unit, user = buyers["finance"]
        reserved_share_file(
            unit=unit, year=year, by=user, canteen=Canteen.SHARED, host_unit=buyers["main"][0]
        )
