"""Plausible price histories for SKUs that have none (demo and benchmark data).

SKUs made by the bulk generator (``demo.catalog_bulk``) have no ``SkuPriceChange`` row, so the price
index would see them priced at today's price since their product's creation and nothing would
move. ``generate_price_history`` writes, for each SKU without any history row, an initial row
(``old_price`` null) about ``months`` months back and then monthly changes, ending exactly at the
SKU's current price and unit price: the history is consistent with the catalogue.

How prices move (log changes, month by month, per leaf category and per product):

* every category has a price *level* that moves month by month: a drift (−0.3 % to +0.8 % a
  month), an annual seasonal wave (amplitude 3–10 % for fruit, vegetables, meat and fish, up to
  2 % for the rest) and small shocks shared by the category (a random walk);
* prices are sticky: each month only 10–20 % of the products change price (their SKUs together).
  A product that changes catches up with its category's level since its own last change, plus a
  product-specific ±3 % (normal); one change in a hundred is instead a large move of 20–50 %, up
  or down (a harvest failure, a promotion, or a typing error the index's outlier editing should
  drop). So the category index follows the category level with the usual lag;
* the path is laid *backwards* from the current price, in whole cents, so its last price is the
  catalogue's. A change too small to move the price by a cent disappears.

The initial row is dated in the month before the window (e.g. 12 months back for ``months=12``),
or at the product's creation if that is later; changes come at random times within each month
(never in the future). Unit prices go through ``catalog.units.unit_price``, the last one is the
SKU's stored ``unit_price``. Rows have ``source="demo"`` and no actor.

Deterministic: the same ``seed``, set of SKUs and ``now`` give the same rows (one random stream
over the SKUs in id order; the category moves come from ``seed`` and the category id). On
PostgreSQL rows are streamed with COPY (psycopg 3) in batches, one transaction each; on SQLite
(the small demo) with bulk_create.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.models import Category, Sku, SkuPriceChange
from catalog.units import UnitMismatch, unit_price
from core.money import CENT

SOURCE = "demo"
ADVISORY_LOCK = 832_0001  # pg_advisory_lock key of generate_price_history
BATCH = 50_000  # SKUs per batch (≈150k rows): one transaction each
SEASONAL = {"fruit", "vegetables", "meat-eggs", "aquatic"}  # root slugs whose prices swing most
COLUMNS = (
    "sku_id",
    "old_price",
    "new_price",
    "old_unit_price",
    "new_unit_price",
    "old_spec",
    "new_spec",
    "source",
    "actor_id",
    "created_at",
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _month_start(day: datetime.date, offset: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


class _Calendar:
    """The months of the history, as aware datetimes: month 0 holds the initial rows, months
    1..``months`` the changes (the last is the current month, cut at ``now``)."""

    def __init__(self, months: int, now: datetime.datetime):
        tz = timezone.get_default_timezone()
        today = timezone.localtime(now, tz).date()
        starts = [_month_start(today, -months + i) for i in range(months + 2)]
        self.bounds = [
            timezone.make_aware(datetime.datetime.combine(d, datetime.time.min), tz) for d in starts
        ]
        self.bounds[-1] = min(self.bounds[-1], now)
        self.month_of_year = [d.month for d in starts[:-1]]
        self.months = months
        self.now = now

    def at(self, month: int, fraction: float) -> datetime.datetime:
        start, end = self.bounds[month], self.bounds[month + 1]
        moment = start + (end - start) * fraction
        return moment.replace(microsecond=0)


class _CategoryMoves:
    """Each category's monthly log price level, drawn once from ``seed`` and the category id."""

    def __init__(self, seed: int, calendar: _Calendar, roots: dict[int, str]):
        self.seed = seed
        self.calendar = calendar
        self.roots = roots
        self.cache: dict[int, tuple[list[float], list[float]]] = {}

    def __call__(self, category_id: int) -> tuple[list[float], list[float]]:
        """(log level of the category at the end of months 0..months, change probabilities)."""
        found = self.cache.get(category_id)
        if found is not None:
            return found
        rng = random.Random(f"{self.seed}:{category_id}")
        drift = rng.uniform(-0.003, 0.008)
        amplitude = (
            rng.uniform(0.03, 0.10) if self.roots.get(category_id) in SEASONAL else rng.uniform(0, 0.02)
        )
        phase = rng.uniform(0, 12)
        levels, chances = [0.0], [0.0]
        months = self.calendar.month_of_year
        for m in range(1, self.calendar.months + 1):
            season = math.sin(2 * math.pi * (months[m] + phase) / 12) - math.sin(
                2 * math.pi * (months[m - 1] + phase) / 12
            )
            levels.append(levels[-1] + drift + amplitude * season + rng.gauss(0, 0.006))
            chances.append(rng.uniform(0.10, 0.20))
        self.cache[category_id] = (levels, chances)
        return levels, chances


def _plan(
    rng: random.Random, levels: list[float], chances: list[float], first_month: int
) -> list[tuple[int, float, float]]:
    """A product's price changes: ``(month, log move, when in the month 0..1)``, oldest first.

    ``first_month`` is the first month in which it may change (its initial price is set before).
    """
    plan = []
    last = max(first_month, 1) - 1  # the month whose category level its current price reflects
    for m in range(max(first_month, 1), len(levels)):
        if rng.random() < chances[m]:
            move = levels[m] - levels[last] + rng.gauss(0, 0.03)
            if rng.random() < 0.01:
                move = rng.choice((-1, 1)) * rng.uniform(math.log(1.2), math.log(1.5))
            plan.append((m, move, rng.random()))
            last = m
    return plan


def _unit(cents: int, sku: tuple, current_unit_price: Decimal, current_cents: int) -> Decimal:
    _pk, _product, _price, _unit_price, quantity, unit, packs, _spec, _category, basis, _created = sku
    try:
        return unit_price(
            price=Decimal(cents).scaleb(-2), net_quantity=quantity, unit=unit, pack_count=packs, basis=basis
        )
    except UnitMismatch:  # the category's basis changed since: scale the stored unit price
        return (current_unit_price * cents / current_cents).quantize(CENT, rounding=ROUND_HALF_UP)


def _history(
    sku: tuple, plan: list[tuple[int, float, float]], start: datetime.datetime, calendar: _Calendar
) -> list[tuple]:
    """The rows of one SKU: its initial price at ``start``, then the plan's changes after it."""
    pk, _product, price, current_unit_price, *_rest, spec, _category, _basis, _created = sku
    current_cents = int((price * 100).to_integral_value(rounding=ROUND_HALF_UP))
    changes = []  # (when, new cents), newest first, laid backwards from the current price
    cents = current_cents
    for month, move, fraction in reversed(plan):
        when = calendar.at(month, fraction)
        if when <= start or when >= calendar.now:
            continue
        before = max(1, round(cents / math.exp(move)))
        if before == cents:
            continue
        changes.append((when, cents))
        cents = before
    changes.reverse()
    units: dict[int, Decimal] = {current_cents: current_unit_price}

    def unit_of(c: int) -> Decimal:
        found = units.get(c)
        if found is None:
            found = units[c] = _unit(c, sku, current_unit_price, current_cents)
        return found

    rows = [(pk, None, Decimal(cents).scaleb(-2), None, unit_of(cents), "", spec, SOURCE, None, start)]
    previous = cents
    for when, new in changes:
        rows.append(
            (
                pk,
                Decimal(previous).scaleb(-2),
                Decimal(new).scaleb(-2),
                unit_of(previous),
                unit_of(new),
                spec,
                spec,
                SOURCE,
                None,
                when,
            )
        )
        previous = new
    return rows


def _copy_text(rows: list[tuple]) -> str:
    out = []
    for row in rows:
        out.append(
            "\t".join(
                "\\N"
                if v is None
                else v.isoformat()
                if isinstance(v, datetime.datetime)
                else str(v).translate(_ESCAPES)
                for v in row
            )
        )
    out.append("")
    return "\n".join(out)


def _write(rows: list[tuple]) -> None:
    if not rows:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY catalog_skupricechange ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for i in range(0, len(rows), 20_000):
                        copy.write(_copy_text(rows[i : i + 20_000]))
        else:
            SkuPriceChange.objects.bulk_create(
                [SkuPriceChange(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
            )


def _without_history():
    return Sku.objects.filter(~Exists(SkuPriceChange.objects.filter(sku_id=OuterRef("pk"))))


SKU_FIELDS = (
    "pk",
    "product_id",
    "price",
    "unit_price",
    "net_quantity",
    "unit",
    "pack_count",
    "spec",
    "product__category_id",
    "product__category__price_basis",
    "product__created_at",
)


def _batches(skus: Iterable[int] | None, batch: int):
    """SKUs without history, in id order, ``batch`` at a time (keyset pages, no long cursor)."""
    if skus is None:
        last = 0
        while True:
            rows = list(
                _without_history().filter(pk__gt=last).order_by("pk").values_list(*SKU_FIELDS)[:batch]
            )
            if not rows:
                return
            yield rows
            last = rows[-1][0]
    else:
        ids = sorted(set(skus))
        for i in range(0, len(ids), batch):
            rows = list(
                _without_history().filter(pk__in=ids[i : i + batch]).order_by("pk").values_list(*SKU_FIELDS)
            )
            if rows:
                yield rows


def generate_price_history(
    *,
    months: int = 12,
    seed: int = 832,
    skus: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
    batch: int = BATCH,
) -> int:
    """Write price histories for the SKUs (all, or the ids in ``skus``) that have no change row.

    Returns the number of rows written. SKUs that already have history are left alone, so a second
    run writes nothing. Call outside a transaction for big loads on PostgreSQL: each batch commits.
    On PostgreSQL, concurrent runs (e.g. two benchmarks sharing a database) queue on an advisory
    lock: otherwise both could read the same SKUs as lacking history and each write one.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    with _exclusive():
        return _generate(months=months, seed=seed, skus=skus, now=now or timezone.now(), batch=batch)


@contextmanager
def _exclusive():
    """One generator at a time per PostgreSQL database (session advisory lock); no-op elsewhere."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])


def _generate(
    *, months: int, seed: int, skus: Iterable[int] | None, now: datetime.datetime, batch: int
) -> int:
    calendar = _Calendar(months, now)
    parents = dict(Category.objects.values_list("id", "parent_id"))
    slugs = dict(Category.objects.values_list("id", "slug"))

    def root_slug(pk: int) -> str:
        while parents.get(pk):
            pk = parents[pk]
        return slugs.get(pk, "")

    category_moves = _CategoryMoves(seed, calendar, {pk: root_slug(pk) for pk in parents})
    rng = random.Random(seed)
    written = 0
    initial_start, initial_end = calendar.bounds[0], calendar.bounds[1]
    for rows in _batches(skus, batch):
        out: list[tuple] = []
        product = None
        plan: list[tuple[int, float, float]] = []
        start = initial_start
        for sku in rows:
            if sku[1] != product:
                product = sku[1]
                created = sku[10]
                start = (initial_start + (initial_end - initial_start) * rng.random()).replace(microsecond=0)
                if created is not None and created > start:
                    start = min(created, now)
                first_month = 1
                while first_month <= months and calendar.bounds[first_month + 1] <= start:
                    first_month += 1
                levels, chances = category_moves(sku[8])
                plan = _plan(rng, levels, chances, first_month)
            out.extend(_history(sku, plan, start, calendar))
        _write(out)
        written += len(out)
    if written and connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_skupricechange")
    return written
