"""The published category price index (价格指数): how it is built, stored and read.

The index tells buyers how the prices of a category move, the way a statistical office publishes
a consumer or producer price index (ILO/IMF *Consumer Price Index Manual*, ch. 9 and 20). The
formulas are in :mod:`pricing.index_formulas`; this module decides which prices enter and stores the
result. ``build_index`` runs nightly (``pricing.tasks.build_price_index``) and from ``seed_demo``.

Method
======

**Periods.** Calendar periods in local dates (``settings.TIME_ZONE``, Asia/Shanghai): the last 13
calendar months ending with the current month (12 monthly links), or the last 27 ISO weeks
(Monday to Sunday) ending with the current week (26 weekly links). The current period is still
running: its price is the price in force now, and it is revised every night until it ends.

**Price of a SKU in a period.** Its normalised unit price (``Sku.unit_price``: ¥ per the leaf's
price basis, e.g. ¥/500 g, so pack sizes compare) in force at the *end* of the period: the
``new_unit_price`` of its last ``SkuPriceChange`` with ``created_at`` before the period's end.
A SKU with no change row at all (rows made by the bulk generator ``demo.catalog_bulk``, which writes
none) is taken to have had its current ``Sku.unit_price`` ever since its product was created:
it is priced at the end of every period that ends after ``Product.created_at``. A SKU is priced
from its first change (or creation) on and never loses its price afterwards.

**Which SKUs.** Active SKUs (``is_active``) of products that have been listed: status on sale,
off sale or delisted, with ``published_at`` set. Both conditions are today's state, applied to
the whole window: a SKU deactivated today leaves every past period too, so published history can
be revised. This is the simple, documented choice; a statistical office would freeze published
periods. When a product went on sale does not matter: its prices count from their dates.

**Elementary cells.** For each leaf category and each pair of consecutive periods, the matched
sample is every SKU priced at the end of both periods (matched-model method). Its log price
relatives ``ln(p_t / p_{t-1})`` are screened for outliers with the MAD rule of
:func:`pricing.index_formulas.edit_relatives` (a relative far from the median in units of the median
absolute deviation — e.g. a price entered ×20 by mistake — is dropped), and the link is the
Jevons index (geometric mean of the price relatives) of what remains. The link is published only
when at least ``settings.PRICE_INDEX_MIN_MATCHED`` (5) items remain after editing. The same is
done per (leaf, origin province); a province series is stored when at least one of its links is
published. The Carli index (arithmetic mean of relatives) is computed nowhere: it is biased
upward and drifts when chained.

**Chaining.** ``level_0 = 100`` at the first period of the window; ``level_t = level_{t-1} ×
link_t``. When a link is not published, the level is carried forward (the link counts as 1 for
chaining) and the point is stored unpublished: no page shows its value. This choice assumes "no
change" for that step, so any real movement between those two periods is lost for good (the next
link compares only the following pair): over a gap the index is biased towards 0 % inflation.
The alternative, imputing the missing link from the parent category, would publish a number
that does not rest on the category's own prices. Because the whole window is rebuilt each night,
the base period moves forward every month (week) and levels are re-referenced to it.

**Top-level categories.** A root's link is the weighted geometric mean of its leaves' published
links, ``exp(Σ w_l ln link_l)``, with ``w_l`` each leaf's share of sales: the sum of
``Product.sales_count`` over its visible products, read when the index is built. These are
today's cumulative totals, so every link of the window uses the same weights (a geometric index
with fixed weights; it is *not* a Törnqvist index, which would need each period's quantities —
:func:`pricing.index_formulas.tornqvist` exists but is not used here). Only leaves with a
published link take part, their weights renormalised to sum to 1 (equal weights when none of them
has sales; otherwise a leaf without sales weighs 0, though its matched items still count towards
the minimum). The root link
is published when at least one leaf link is and the matched items of the leaves taking part add
up to the minimum. Root × province series are built the same way from the leaf × province links,
weighted by the leaves' sales of products from that province.

**Storage.** One run replaces every point of its frequency at once: delete and bulk insert in one
transaction, so readers see the old index or the new one, never half of each.

Performance: one streamed query over the price changes (ordered by SKU and time, joined to the
category and province, with the period each change falls in computed by the database as a
``CASE WHEN`` over the period ends) and one over the SKUs without any change, a few small queries
for the tree and the weights, then pure Python. Per SKU only the periods where its price changed cost
work; the unchanged ones are counted (relative 1, log 0) per cell, so a cell is a small
``{log relative: count}`` mapping handed to
:func:`pricing.index_formulas.category_index_cell_from_log_counts`.
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, FloatField, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import Category, Product, ProductStatus, Sku, SkuPriceChange
from pricing.index_formulas import IndexCell, category_index_cell_from_log_counts
from pricing.models import Frequency, PriceIndexPoint

BASE_LEVEL = 100.0
PERIODS = {Frequency.MONTH: 13, Frequency.WEEK: 27}
CHUNK = 20_000
ADVISORY_LOCK = 832_1000  # + the number of periods: one lock per frequency
LISTED_STATUSES = (ProductStatus.ON_SALE, ProductStatus.OFF_SALE, ProductStatus.DELISTED)
_EMPTY = IndexCell(value=None, matched=0, dropped=0, published=False)


# --- Periods ----------------------------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_starts(frequency: str, today: datetime.date) -> list[datetime.date]:
    """The first day of each period of the window, oldest first; the last one holds ``today``."""
    count = PERIODS[frequency]
    if frequency == Frequency.MONTH:
        current = today.replace(day=1)
        return [_add_months(current, -i) for i in range(count - 1, -1, -1)]
    if frequency == Frequency.WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=i) for i in range(count - 1, -1, -1)]
    raise ValueError(f"unknown frequency {frequency!r}")


def _next_start(frequency: str, start: datetime.date) -> datetime.date:
    if frequency == Frequency.MONTH:
        return _add_months(start, 1)
    return start + datetime.timedelta(weeks=1)


def _period_ends(frequency: str, starts: list[datetime.date]) -> list[datetime.datetime]:
    """The instant each period ends: local midnight starting the next one (settings.TIME_ZONE)."""
    tz = timezone.get_default_timezone()
    ends = []
    for i, start in enumerate(starts):
        following = starts[i + 1] if i + 1 < len(starts) else _next_start(frequency, start)
        local = timezone.make_aware(datetime.datetime.combine(following, datetime.time.min), tz)
        ends.append(local)
    return ends


# --- Reading prices ---------------------------------------------------------------------------------


def _listed(prefix: str = "") -> Q:
    """Active SKUs of products that have been listed (see the module docstring)."""
    return Q(
        **{
            f"{prefix}is_active": True,
            f"{prefix}product__published_at__isnull": False,
            f"{prefix}product__status__in": LISTED_STATUSES,
        }
    )


def _period_of(field_name: str, ends: list[datetime.datetime]) -> Case:
    """SQL for the index of the first period whose end comes after ``field_name`` (a CASE WHEN
    over the period ends; ``len(ends)`` when it is after the last one). Computing it in the database
    spares the client parsing a timestamp per row, which is most of the cost of reading."""
    return Case(
        *[When(**{f"{field_name}__lt": end}, then=Value(i)) for i, end in enumerate(ends)],
        default=Value(len(ends)),
        output_field=IntegerField(),
    )


def price_change_rows(ends: list[datetime.datetime]):
    """``(sku_id, category_id, province_id, period index, unit price as float)`` of every price
    change of an eligible SKU before the last period's end, ordered by SKU and time: one streamed
    query. The period index says from which period on the change's price is in force."""
    return (
        SkuPriceChange.objects.filter(_listed("sku__"), created_at__lt=ends[-1])
        .annotate(period=_period_of("created_at", ends), price=Cast("new_unit_price", FloatField()))
        .values_list(
            "sku_id", "sku__product__category_id", "sku__product__origin_province_id", "period", "price"
        )
        .order_by("sku_id", "created_at", "id")
        .iterator(chunk_size=CHUNK)
    )


def unrecorded_sku_rows(ends: list[datetime.datetime]):
    """``(category_id, province_id, period index of the product's creation)`` of eligible SKUs
    without any change row, created before the last period's end."""
    return (
        Sku.objects.filter(_listed(), product__created_at__lt=ends[-1])
        .filter(~Exists(SkuPriceChange.objects.filter(sku_id=OuterRef("pk"))))
        .annotate(period=_period_of("product__created_at", ends))
        .values_list("product__category_id", "product__origin_province_id", "period")
        .order_by()
        .iterator(chunk_size=CHUNK)
    )


class _Cell:
    """What one (leaf, province) knows about its matched samples, link by link.

    ``starts[t]``: items first matched at link t (priced from period t-1 on; they stay priced).
    ``changed[t]``: matched items whose price changed at link t, with ``moves[t]`` counting their
    log relatives. The unchanged items of link t (log relative 0) are the rest.
    """

    __slots__ = ("changed", "moves", "starts")

    def __init__(self, periods: int):
        self.starts = [0] * (periods + 1)
        self.changed = [0] * periods
        self.moves: list[dict[float, int]] = [{} for _ in range(periods)]

    def counts(self, t: int, running: int) -> dict[float, int]:
        """``{log relative: items}`` of link t, ``running`` being the items matched at t."""
        counts = dict(self.moves[t])
        unchanged = running - self.changed[t]
        if unchanged:
            counts[0.0] = counts.get(0.0, 0) + unchanged
        return counts

    def merge(self, other: _Cell) -> None:
        for t, n in enumerate(other.starts):
            self.starts[t] += n
        for t, n in enumerate(other.changed):
            self.changed[t] += n
            if n:
                mine = self.moves[t]
                for x, c in other.moves[t].items():
                    mine[x] = mine.get(x, 0) + c


@dataclass
class _Scan:
    cells: dict[tuple[int, int], _Cell]
    change_rows: int = 0
    skus: int = 0

    def cell(self, key: tuple[int, int], periods: int) -> _Cell:
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = _Cell(periods)
        return cell


def _record(cell: _Cell, seg_idx: list[int], seg_price: list[float]) -> None:
    """Count one SKU's price path in its cell. ``seg_idx[i]``: the first period whose end price is
    ``seg_price[i]`` (increasing)."""
    cell.starts[seg_idx[0] + 1] += 1
    prev = seg_price[0]
    for i in range(1, len(seg_idx)):
        p = seg_price[i]
        if p != prev:
            t = seg_idx[i]
            cell.changed[t] += 1
            moves = cell.moves[t]
            x = math.log(p / prev)
            moves[x] = moves.get(x, 0) + 1
            prev = p


def _scan_changes(scan: _Scan, ends: list[datetime.datetime]) -> None:
    """Stream the price changes (ordered by SKU) and record each SKU's path. The hot loop of a run."""
    periods = len(ends)
    current = None
    cell: _Cell | None = None
    seg_idx: list[int] = []
    seg_price: list[float] = []
    rows = 0
    for sku_id, category_id, province_id, idx, price in price_change_rows(ends):
        rows += 1
        if sku_id != current:
            if seg_idx:
                _record(cell, seg_idx, seg_price)
                scan.skus += 1
            current = sku_id
            cell = scan.cell((category_id, province_id), periods)
            seg_idx, seg_price = [], []
        if price is None or not price > 0.0 or idx >= periods:
            continue
        if seg_idx and seg_idx[-1] == idx:
            seg_price[-1] = price  # a later change in the same period wins
        else:
            seg_idx.append(idx)
            seg_price.append(price)
    if seg_idx:
        _record(cell, seg_idx, seg_price)
        scan.skus += 1
    scan.change_rows = rows


def _scan(ends: list[datetime.datetime]) -> _Scan:
    """Stream the prices once and fill a _Cell per (category, province)."""
    periods = len(ends)
    scan = _Scan(cells={})
    _scan_changes(scan, ends)
    for category_id, province_id, idx in unrecorded_sku_rows(ends):
        if idx >= periods:
            continue
        scan.cell((category_id, province_id), periods).starts[idx + 1] += 1
        scan.skus += 1
    return scan


# --- Computing the series ---------------------------------------------------------------------------


def _links(cell: _Cell, periods: int, min_matched: int) -> list[IndexCell]:
    """One IndexCell per link; index 0 (the base period, no link) is an empty cell."""
    out = [_EMPTY]
    running = cell.starts[0]
    for t in range(1, periods):
        running += cell.starts[t]
        out.append(category_index_cell_from_log_counts(cell.counts(t, running), min_matched=min_matched))
    return out


def _aggregate(
    components: list[tuple[float, list[IndexCell]]], periods: int, min_matched: int
) -> list[IndexCell]:
    """A parent's links: the weighted geometric mean of the components' published links.

    ``components`` are ``(weight, links)``; at each link only the published components take part,
    with their weights renormalised (equal weights when they sum to 0).
    """
    out = [_EMPTY]
    for t in range(1, periods):
        taking_part = [(w, links[t]) for w, links in components if links[t].published]
        if not taking_part:
            out.append(_EMPTY)
            continue
        total = math.fsum(w for w, _ in taking_part)
        if total > 0:
            weights = [w / total for w, _ in taking_part]
        else:
            weights = [1.0 / len(taking_part)] * len(taking_part)
        matched = sum(c.matched for _, c in taking_part)
        dropped = sum(c.dropped for _, c in taking_part)
        if matched < min_matched:
            out.append(IndexCell(value=None, matched=matched, dropped=dropped, published=False))
            continue
        value = math.exp(
            math.fsum(w * math.log(c.value) for w, (_, c) in zip(weights, taking_part, strict=True))
        )
        out.append(IndexCell(value=value, matched=matched, dropped=dropped, published=True))
    return out


@dataclass(frozen=True)
class SeriesPoint:
    level: float
    link: float | None
    matched: int
    dropped: int
    published: bool


def chain(links: list[IndexCell]) -> list[SeriesPoint]:
    """Chained levels from links (``links[0]`` is ignored: the base period is 100).

    An unpublished link carries the level forward and its point is unpublished. The base point is
    published when at least one link of the series is.
    """
    any_published = any(c.published for c in links[1:])
    points = [SeriesPoint(BASE_LEVEL, None, 0, 0, any_published)]
    level = BASE_LEVEL
    for cell in links[1:]:
        if cell.published:
            level *= cell.value
            points.append(SeriesPoint(level, cell.value, cell.matched, cell.dropped, True))
        else:
            points.append(SeriesPoint(level, None, cell.matched, cell.dropped, False))
    return points


def _sales_weights() -> dict[tuple[int, int], int]:
    """Units sold of visible products per (category, province): the aggregation weights."""
    return {
        (row["category_id"], row["origin_province_id"]): row["sales"] or 0
        for row in Product.objects.filter(is_visible=True)
        .values("category_id", "origin_province_id")
        .annotate(sales=Sum("sales_count"))
        .order_by()
    }


@dataclass
class BuildResult:
    frequency: str
    periods: list[datetime.date]
    skus: int = 0
    change_rows: int = 0
    series: int = 0
    points: int = 0
    published_points: int = 0
    read_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "frequency": str(self.frequency),
            "first_period": self.periods[0].isoformat(),
            "last_period": self.periods[-1].isoformat(),
            "skus": self.skus,
            "change_rows": self.change_rows,
            "series": self.series,
            "points": self.points,
            "published_points": self.published_points,
            "read_seconds": round(self.read_seconds, 3),
            "compute_seconds": round(self.compute_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Tree:
    """The category tree as ids: parent of each category, children of each parent."""

    parents: dict[int, int | None]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Tree:
        tree = cls(parents=dict(Category.objects.values_list("id", "parent_id")))
        for pk, parent in tree.parents.items():
            if parent is not None:
                tree.children.setdefault(parent, []).append(pk)
        return tree

    def root_of(self, pk: int) -> int:
        seen = 0
        while self.parents.get(pk) is not None and seen < 100:
            pk, seen = self.parents[pk], seen + 1
        return pk


Series = dict[tuple[int, int | None], list[IndexCell]]
"""Links per (category, province or None for all provinces)."""


@dataclass
class _Leaves:
    ids: set[int]
    national: dict[int, list[IndexCell]]  # leaf -> links over all provinces
    by_province: dict[tuple[int, int], list[IndexCell]]  # (category, province) -> links


def _leaf_series(scan: _Scan, tree: _Tree, periods: int, min_matched: int) -> _Leaves:
    """The elementary series: (category, province) and (category, all provinces)."""
    merged: dict[int, _Cell] = {}
    by_province: dict[tuple[int, int], list[IndexCell]] = {}
    for (category_id, province_id), cell in sorted(scan.cells.items(), key=lambda kv: kv[0]):
        if category_id not in tree.parents:
            continue  # deleted while streaming
        by_province[(category_id, province_id)] = _links(cell, periods, min_matched)
        merged.setdefault(category_id, _Cell(periods)).merge(cell)
    ids = {pk for pk in tree.parents if pk not in tree.children} | set(merged)
    national = {
        pk: _links(merged[pk], periods, min_matched) if pk in merged else [_EMPTY] * periods for pk in ids
    }
    return _Leaves(ids=ids, national=national, by_province=by_province)


def _root_series(
    root: int,
    leaves: _Leaves,
    tree: _Tree,
    weights: dict[tuple[int, int], int],
    periods: int,
    min_matched: int,
) -> Series:
    """A root's national series and its province series that have a published link."""
    national_sales: dict[int, int] = {}
    for (category_id, _province), sales in weights.items():
        national_sales[category_id] = national_sales.get(category_id, 0) + sales
    members = sorted(pk for pk in leaves.ids if pk != root and tree.root_of(pk) == root)
    series: Series = {
        (root, None): _aggregate(
            [(national_sales.get(pk, 0), leaves.national[pk]) for pk in members], periods, min_matched
        )
    }
    for province in sorted({p for (pk, p) in leaves.by_province if pk in members}):
        components = [
            (weights.get((pk, province), 0), leaves.by_province[(pk, province)])
            for pk in members
            if (pk, province) in leaves.by_province
        ]
        links = _aggregate(components, periods, min_matched)
        if any(c.published for c in links[1:]):
            series[(root, province)] = links
    return series


def _all_series(scan: _Scan, tree: _Tree, weights: dict[tuple[int, int], int], periods: int) -> Series:
    """Every stored series: leaves (national, and provinces with a published link), then roots."""
    min_matched = settings.PRICE_INDEX_MIN_MATCHED
    leaves = _leaf_series(scan, tree, periods, min_matched)
    series: Series = {(pk, None): leaves.national[pk] for pk in sorted(leaves.ids)}
    for key, links in leaves.by_province.items():
        if any(c.published for c in links[1:]):
            series[key] = links
    roots = [pk for pk, parent in tree.parents.items() if parent is None and pk in tree.children]
    for root in roots:
        series.update(_root_series(root, leaves, tree, weights, periods, min_matched))
    return series


def _point_rows(series: Series, frequency: str, starts: list[datetime.date]) -> list[PriceIndexPoint]:
    now = timezone.now()
    return [
        PriceIndexPoint(
            category_id=category_id,
            province_id=province_id,
            frequency=frequency,
            period_start=start,
            level=point.level,
            link=point.link,
            matched=point.matched,
            dropped=point.dropped,
            published=point.published,
            computed_at=now,
        )
        for (category_id, province_id), links in series.items()
        for start, point in zip(starts, chain(links), strict=True)
    ]


def _replace_points(frequency: str, rows: list[PriceIndexPoint], periods: int) -> None:
    """Replace every stored point of the frequency in one transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two runs of one frequency take turns: the second deletes what the first wrote.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK + periods])
        PriceIndexPoint.objects.filter(frequency=frequency).delete()
        PriceIndexPoint.objects.bulk_create(rows, batch_size=2000)


def build_index(*, frequency: str = Frequency.MONTH, today: datetime.date | None = None) -> BuildResult:
    """Compute the whole index of one frequency and replace its stored points in one transaction.

    ``today`` (default: the local date) fixes the window: its period is the last one. Returns
    counts and timings. Readers see the old points until the new ones are committed; two concurrent
    runs of one frequency take turns on a PostgreSQL advisory lock, the last one wins.
    """
    started = time.perf_counter()
    frequency = Frequency(frequency)
    starts = period_starts(frequency, today or timezone.localdate())
    ends = _period_ends(frequency, starts)
    result = BuildResult(frequency=frequency, periods=starts)

    scan = _scan(ends)
    tree = _Tree.load()
    weights = _sales_weights()
    result.read_seconds = time.perf_counter() - started
    result.skus, result.change_rows = scan.skus, scan.change_rows

    computing = time.perf_counter()
    series = _all_series(scan, tree, weights, len(starts))
    rows = _point_rows(series, frequency, starts)
    result.compute_seconds = time.perf_counter() - computing

    writing = time.perf_counter()
    _replace_points(frequency, rows, len(starts))
    result.write_seconds = time.perf_counter() - writing
    result.series = len(series)
    result.points = len(rows)
    result.published_points = sum(r.published for r in rows)
    result.seconds = time.perf_counter() - started
    return result
