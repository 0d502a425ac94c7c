"""The price comparison model (比价模型): is a SKU's price reasonable, and why.

A SKU's normalised unit price (``catalog.units.unit_price``: ¥/500 g, ¥/kg, ¥/L or ¥/piece) is
compared three ways; each comparison can raise a *signal*:

* **Its own evidence.** The lowest *fresh* reference for the *same* product (not rejected by ops,
  seen within ``PRICE_EVIDENCE_MAX_AGE_DAYS``). ``ratio = ours / reference``: above
  ``EVIDENCE_HIGH_RATIO`` (1.10) is high, above ``EVIDENCE_VERY_HIGH_RATIO`` (1.30) very high,
  below ``EVIDENCE_LOW_RATIO`` (0.50) suspiciously low (usually a wrong specification).
  References for a merely *similar* product are shown but never judge a price.
* **Comparable listings on Fengshou.** The on-sale SKUs of the same leaf category (all share its
  price basis). With fewer than ``PEER_MIN_COUNT`` there, the parent category's SKUs with the same
  basis. On log unit prices, median ``m`` and ``MAD = median(|ln x − m|)``; the modified z-score
  (Iglewicz & Hoaglin) ``z = 0.6745 · (ln x − m) / max(MAD, PEER_MAD_FLOOR)`` — the floor keeps a
  tight category from flagging trivial differences. ``z > PEER_OUTLIER_Z`` (3.5) is an outlier:
  very high; ``z > PEER_HIGH_Z`` (2.0) high; ``z < −PEER_OUTLIER_Z`` suspiciously low. The ratio to
  the peer median ``exp(m)`` is what the explanation quotes. The group includes the SKU itself
  when it is on sale (it is one of the listings buyers compare).
* **Its own history.** The median of the unit prices the SKU held before each change in the last
  ``HISTORY_DAYS`` days; more than ``HISTORY_JUMP_RATIO`` (1.30) above it is a sudden jump: high.

The verdict: any upward signal makes it *very high* (if one says so) or *high*; otherwise a
downward signal makes it *suspiciously low*; otherwise, with a fresh reference or enough peers to
judge by, *reasonable*; otherwise *not enough data*. ``severity`` is the natural log of the
largest ratio behind the verdict, which orders the ops review queue.

``judge`` is pure. ``refresh_verdicts`` / ``refresh_all_verdicts`` gather the facts in a few
set-based queries (never one query per SKU) and write the rows in bulk;
the single-SKU path after a price or evidence change is the same code with one SKU.
``pricing.explain.explain`` turns a stored verdict into the sentence a supplier reads, in the
active language.
"""

from __future__ import annotations

import datetime
import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Abs
from django.utils import timezone

from catalog.models import Category, ProductStatus, Sku, SkuPriceChange
from core.money import money
from pricing.models import EvidenceStatus, Match, PeerScope, PriceEvidence, PriceVerdict, Verdict

MODEL_VERSION = "2026.11-1"
MODIFIED_Z = 0.6745
# Products whose SKUs are judged: everything a supplier is still working on or selling.
JUDGED_STATUSES = [
    ProductStatus.DRAFT,
    ProductStatus.SUBMITTED,
    ProductStatus.APPROVED,
    ProductStatus.REJECTED,
    ProductStatus.ON_SALE,
    ProductStatus.OFF_SALE,
]
WRITE_BATCH = 5000
COPY_BATCH = 50_000


@dataclass(frozen=True, slots=True)
class Params:
    evidence_high_ratio: float
    evidence_very_high_ratio: float
    evidence_low_ratio: float
    peer_min_count: int
    peer_high_z: float
    peer_outlier_z: float
    peer_mad_floor: float
    history_days: int
    history_jump_ratio: float
    evidence_max_age_days: int

    @classmethod
    def from_settings(cls) -> Params:
        m = settings.PRICE_MODEL
        return cls(
            evidence_high_ratio=m["EVIDENCE_HIGH_RATIO"],
            evidence_very_high_ratio=m["EVIDENCE_VERY_HIGH_RATIO"],
            evidence_low_ratio=m["EVIDENCE_LOW_RATIO"],
            peer_min_count=m["PEER_MIN_COUNT"],
            peer_high_z=m["PEER_HIGH_Z"],
            peer_outlier_z=m["PEER_OUTLIER_Z"],
            peer_mad_floor=m["PEER_MAD_FLOOR"],
            history_days=m["HISTORY_DAYS"],
            history_jump_ratio=m["HISTORY_JUMP_RATIO"],
            evidence_max_age_days=settings.PRICE_EVIDENCE_MAX_AGE_DAYS,
        )


@dataclass(frozen=True, slots=True)
class Reference:
    evidence_id: int
    shop: str
    unit_price: Decimal
    seen_on: datetime.date


@dataclass(frozen=True, slots=True)
class PeerGroup:
    scope: str  # PeerScope.LEAF or PeerScope.PARENT
    category_id: int
    count: int
    median_log: float
    mad: float

    @property
    def median(self) -> Decimal:
        return _money(math.exp(self.median_log))


@dataclass(frozen=True, slots=True)
class Facts:
    unit_price: Decimal
    basis: str
    fresh: Sequence[Reference] = ()
    stale: Sequence[Reference] = ()
    peers: PeerGroup | None = None
    history: Sequence[Decimal] = ()


@dataclass
class Judgement:
    verdict: str
    severity: float
    signals: list[str] = field(default_factory=list)
    reference: Reference | None = None
    reference_ratio: float | None = None
    peer_z: float | None = None
    peer_ratio: float | None = None
    history_median: Decimal | None = None
    history_ratio: float | None = None


def _money(value: float | Decimal) -> Decimal:
    """``value`` in yuan; a float is read by its shortest repr (``2.675`` → ¥2.68, as written)."""
    return money(str(value))


def peer_group(scope: str, category_id: int, log_prices: Sequence[float]) -> PeerGroup:
    """Median and MAD of a group's log unit prices."""
    centre = statistics.median(log_prices)
    mad = statistics.median(abs(x - centre) for x in log_prices)
    return PeerGroup(scope=scope, category_id=category_id, count=len(log_prices), median_log=centre, mad=mad)


Signal = tuple[str, str, float]
"""``(verdict, signal, severity)``; a downward signal's verdict is ``Verdict.LOW``."""


def _evidence_signal(x: float, facts: Facts, params: Params, result: Judgement) -> Signal | None:
    """Compare with the lowest fresh same-product reference (none without one)."""
    ref = min(facts.fresh, key=lambda r: (r.unit_price, r.evidence_id))
    ratio = x / float(ref.unit_price)
    result.reference, result.reference_ratio = ref, ratio
    if ratio > params.evidence_very_high_ratio:
        return (Verdict.VERY_HIGH, "evidence_very_high", math.log(ratio))
    if ratio > params.evidence_high_ratio:
        return (Verdict.HIGH, "evidence_high", math.log(ratio))
    if ratio < params.evidence_low_ratio:
        return (Verdict.LOW, "evidence_low", -math.log(ratio))
    return None


def _peer_signal(x: float, peers: PeerGroup, params: Params, result: Judgement) -> Signal | None:
    """Compare with the peer group by the modified z-score of the log unit price."""
    deviation = math.log(x) - peers.median_log
    z = MODIFIED_Z * deviation / max(peers.mad, params.peer_mad_floor)
    result.peer_z, result.peer_ratio = z, math.exp(deviation)
    if z > params.peer_outlier_z:
        return (Verdict.VERY_HIGH, "peer_outlier", deviation)
    if z > params.peer_high_z:
        return (Verdict.HIGH, "peer_high", deviation)
    if z < -params.peer_outlier_z:
        return (Verdict.LOW, "peer_low", -deviation)
    return None


def _history_signal(x: float, facts: Facts, params: Params, result: Judgement) -> Signal | None:
    """Compare with the median of the prices the SKU held recently."""
    median = statistics.median(facts.history)
    ratio = x / float(median)
    result.history_median, result.history_ratio = _money(median), ratio
    if ratio > params.history_jump_ratio:
        return (Verdict.HIGH, "history_jump", math.log(ratio))
    return None


def judge(facts: Facts, params: Params) -> Judgement:
    """The verdict on one unit price from the facts gathered about it (pure)."""
    x = float(facts.unit_price)
    result = Judgement(verdict=Verdict.INSUFFICIENT, severity=0.0)
    peers = facts.peers
    usable_peers = peers is not None and peers.count >= params.peer_min_count
    signals = [
        _evidence_signal(x, facts, params, result) if facts.fresh else None,
        _peer_signal(x, peers, params, result) if usable_peers else None,
        _history_signal(x, facts, params, result) if facts.history else None,
    ]
    up = [s for s in signals if s is not None and s[0] != Verdict.LOW]
    down = [s for s in signals if s is not None and s[0] == Verdict.LOW]
    if up:
        result.verdict = (
            Verdict.VERY_HIGH if any(v == Verdict.VERY_HIGH for v, _s, _x in up) else Verdict.HIGH
        )
        result.signals = [s for _v, s, _x in up] + [s for _v, s, _x in down]
        result.severity = max(x for _v, _s, x in up)
    elif down:
        result.verdict = Verdict.LOW
        result.signals = [s for _v, s, _x in down]
        result.severity = max(x for _v, _s, x in down)
    elif facts.fresh or usable_peers:
        result.verdict = Verdict.REASONABLE
    return result


# --- Gathering the facts, in bulk ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SkuRow:
    sku_id: int
    category_id: int
    unit_price: Decimal


class _Tree:
    """The category tree (a few dozen rows), read once per run."""

    def __init__(self) -> None:
        self.by_id = {c.pk: c for c in Category.objects.all()}

    def basis(self, category_id: int) -> str:
        return self.by_id[category_id].price_basis


def _log_prices(category_ids: set[int]) -> dict[int, list[float]]:
    """The log unit prices of the on-sale SKUs of these categories (one query)."""
    logs: dict[int, list[float]] = defaultdict(list)
    if not category_ids:
        return logs
    rows = (
        Sku.objects.filter(is_active=True, product__is_visible=True, product__category_id__in=category_ids)
        .values_list("product__category_id", "unit_price")
        .iterator(chunk_size=20000)
    )
    for category_id, price in rows:
        if price and price > 0:
            logs[category_id].append(math.log(price))
    return logs


def _peer_groups(tree: _Tree, category_ids: set[int], params: Params) -> dict[int, PeerGroup | None]:
    """Each of these leaf categories' peer group: its own on-sale SKUs, or, when too few, those of
    its parent category with the same price basis. Reads the leaves' prices, then only the
    siblings of leaves that have too few (at most two queries)."""

    def wider_key(category_id: int) -> tuple[int, str]:
        category = tree.by_id[category_id]
        return (category.parent_id or category_id, category.price_basis)

    logs = _log_prices(category_ids)
    short = {c for c in category_ids if len(logs.get(c, ())) < params.peer_min_count}
    if short:
        wanted = {wider_key(c) for c in short}
        siblings = {c for c in tree.by_id if wider_key(c) in wanted} - category_ids
        logs.update(_log_prices(siblings))
    by_parent: dict[tuple[int, str], list[float]] = defaultdict(list)
    for category_id, values in logs.items():
        by_parent[wider_key(category_id)].extend(values)
    groups: dict[int, PeerGroup | None] = {}
    for category_id in category_ids:
        own = logs.get(category_id, [])
        if len(own) >= params.peer_min_count:
            groups[category_id] = peer_group(PeerScope.LEAF, category_id, own)
            continue
        parent, _basis = wider_key(category_id)
        wider = by_parent.get(wider_key(category_id), [])
        groups[category_id] = peer_group(PeerScope.PARENT, parent, wider) if wider else None
    return groups


def _references(sku_filter: dict, params: Params) -> tuple[dict, dict]:
    """Fresh and stale same-product references per SKU (rejected ones never count)."""
    oldest_fresh = timezone.localdate() - datetime.timedelta(days=params.evidence_max_age_days)
    fresh: dict[int, list[Reference]] = defaultdict(list)
    stale: dict[int, list[Reference]] = defaultdict(list)
    rows = (
        PriceEvidence.objects.filter(match=Match.SAME, **sku_filter)
        .exclude(status=EvidenceStatus.REJECTED)
        .values_list("sku_id", "id", "shop__name", "observed_unit_price", "seen_on")
    )
    for sku_id, pk, shop, price, seen_on in rows.iterator(chunk_size=20000):
        (fresh if seen_on >= oldest_fresh else stale)[sku_id].append(Reference(pk, shop, price, seen_on))
    return fresh, stale


def _history(sku_filter: dict, params: Params) -> dict[int, list[Decimal]]:
    """The unit prices each SKU held before each of its changes in the window."""
    since = timezone.now() - datetime.timedelta(days=params.history_days)
    held: dict[int, list[Decimal]] = defaultdict(list)
    rows = SkuPriceChange.objects.filter(
        created_at__gte=since, old_unit_price__isnull=False, **sku_filter
    ).values_list("sku_id", "old_unit_price")
    for sku_id, price in rows.iterator(chunk_size=20000):
        held[sku_id].append(price)
    return held


def _row(sku: _SkuRow, facts: Facts, result: Judgement, params: Params, now) -> PriceVerdict:
    peers = facts.peers
    usable = peers is not None and peers.count >= params.peer_min_count
    newest_stale = max(facts.stale, key=lambda r: (r.seen_on, r.evidence_id)) if facts.stale else None
    return PriceVerdict(
        sku_id=sku.sku_id,
        verdict=result.verdict,
        severity=round(result.severity, 6),
        unit_price=sku.unit_price,
        basis=facts.basis,
        reference_id=result.reference.evidence_id if result.reference else None,
        reference_unit_price=result.reference.unit_price if result.reference else None,
        reference_ratio=result.reference_ratio,
        reference_shop=result.reference.shop if result.reference else "",
        reference_seen_on=result.reference.seen_on if result.reference else None,
        references_used=sorted(r.evidence_id for r in facts.fresh),
        stale_references=len(facts.stale),
        stale_shop=newest_stale.shop if newest_stale else "",
        stale_seen_on=newest_stale.seen_on if newest_stale else None,
        peer_scope=peers.scope if peers else PeerScope.NONE,
        peer_category_id=peers.category_id if peers else None,
        peer_count=peers.count if peers else 0,
        peer_median=peers.median if usable else None,
        peer_mad=peers.mad if usable else None,
        peer_z=result.peer_z,
        peer_ratio=result.peer_ratio,
        history_median=result.history_median,
        history_ratio=result.history_ratio,
        history_points=len(facts.history),
        signals=result.signals,
        model_version=MODEL_VERSION,
        computed_at=now,
    )


COMPUTED_FIELDS = [
    f.name
    for f in PriceVerdict._meta.concrete_fields
    if f.name not in ("sku", "review_state", "review_note", "review_unit_price", "reviewed_by", "reviewed_at")
]


_COPY_FIELDS = [f for f in PriceVerdict._meta.concrete_fields if f.name in COMPUTED_FIELDS or f.name == "sku"]


def _copy_value(field, verdict: PriceVerdict):
    value = getattr(verdict, field.attname)
    return json.dumps(value) if isinstance(field, models.JSONField) else value


def _write_copy(rows: list[PriceVerdict]) -> None:
    """PostgreSQL: COPY each batch into a scratch table, then one INSERT … ON CONFLICT upsert and
    one UPDATE that lifts reviews made on another unit price — three statements per batch."""
    table = PriceVerdict._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in _COPY_FIELDS)
    updates = ", ".join(f'"{f.column}" = EXCLUDED."{f.column}"' for f in _COPY_FIELDS if f.name != "sku")
    for start in range(0, len(rows), COPY_BATCH):
        batch = rows[start : start + COPY_BATCH]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS fengshou_verdict_load")
            cursor.execute(
                f"CREATE TEMP TABLE fengshou_verdict_load AS SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY fengshou_verdict_load ({columns}) FROM STDIN") as copy:
                for verdict in batch:
                    copy.write_row([_copy_value(f, verdict) for f in _COPY_FIELDS])
            cursor.execute(
                f"INSERT INTO {table} ({columns}, review_state, review_note) "
                f"SELECT {columns}, '', '' FROM fengshou_verdict_load "
                f"ON CONFLICT (sku_id) DO UPDATE SET {updates}"
            )
            cursor.execute(
                f"UPDATE {table} AS v SET review_state = '' FROM fengshou_verdict_load AS l "
                "WHERE v.sku_id = l.sku_id AND v.review_state <> '' "
                "AND v.review_unit_price IS DISTINCT FROM v.unit_price"
            )
            cursor.execute("DROP TABLE fengshou_verdict_load")


def _write(rows: list[PriceVerdict]) -> None:
    """Upsert the computed part of each verdict; an ops review stays only while the unit price it
    was made on is still the price."""
    if connection.vendor == "postgresql" and len(rows) > WRITE_BATCH:
        _write_copy(rows)
        return
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        with transaction.atomic():
            PriceVerdict.objects.bulk_create(
                batch, update_conflicts=True, unique_fields=["sku"], update_fields=COMPUTED_FIELDS
            )
            (
                PriceVerdict.objects.filter(sku_id__in=[r.sku_id for r in batch])
                .exclude(review_state="")
                .exclude(review_unit_price=F("unit_price"))
                .update(review_state="")
            )


def _judge(skus: list[_SkuRow], sku_filter: dict, tree: _Tree, params: Params) -> int:
    """Judge these SKUs: a few set-based reads (peers of their categories, references, history),
    then the pure model for each, then bulk writes."""
    groups = _peer_groups(tree, {s.category_id for s in skus}, params)
    fresh, stale = _references(sku_filter, params)
    history = _history(sku_filter, params)
    now = timezone.now()
    rows = []
    for sku in skus:
        facts = Facts(
            unit_price=sku.unit_price,
            basis=tree.basis(sku.category_id),
            fresh=fresh.get(sku.sku_id, ()),
            stale=stale.get(sku.sku_id, ()),
            peers=groups.get(sku.category_id),
            history=history.get(sku.sku_id, ()),
        )
        rows.append(_row(sku, facts, judge(facts, params), params, now))
    _write(rows)
    return len(rows)


def _judged_skus():
    return Sku.objects.filter(is_active=True, product__status__in=JUDGED_STATUSES, unit_price__gt=0)


def refresh_verdicts(sku_ids: Iterable[int]) -> int:
    """Recompute the verdicts of these SKUs (after a price or evidence change). Returns how many."""
    params, tree = Params.from_settings(), _Tree()
    rows = _judged_skus().filter(pk__in=set(sku_ids)).values_list("pk", "product__category_id", "unit_price")
    skus = [_SkuRow(pk, category_id, price) for pk, category_id, price in rows]
    if not skus:
        return 0
    return _judge(skus, {"sku_id__in": [s.sku_id for s in skus]}, tree, params)


@dataclass(frozen=True, slots=True)
class RefreshResult:
    judged: int
    removed: int
    seconds: float
    by_verdict: dict[str, int]


def refresh_all_verdicts() -> RefreshResult:
    """Nightly: judge every SKU of the catalogue (each input read once, in one pass) and drop the
    verdicts of SKUs no longer judged (withdrawn or delisted)."""
    started = time.perf_counter()
    params, tree = Params.from_settings(), _Tree()
    rows = _judged_skus().values_list("pk", "product__category_id", "unit_price").order_by()
    skus = [_SkuRow(pk, category_id, price) for pk, category_id, price in rows.iterator(chunk_size=20000)]
    judged = _judge(skus, {}, tree, params) if skus else 0
    no_longer_judged = (
        Q(sku__is_active=False) | Q(sku__unit_price__lte=0) | ~Q(sku__product__status__in=JUDGED_STATUSES)
    )
    removed, _detail = PriceVerdict.objects.filter(no_longer_judged).delete()
    counts = dict(
        PriceVerdict.objects.values_list("verdict").annotate(n=Count("pk")).values_list("verdict", "n")
    )
    return RefreshResult(judged, removed, time.perf_counter() - started, counts)


def nearest_peers(verdict: PriceVerdict, *, limit: int = 10) -> list[Sku]:
    """The comparable on-sale listings whose unit prices are closest to the group's median: what a
    reader needs to see that the median is made of real, similar products."""
    if verdict.peer_category_id is None or verdict.peer_median is None:
        return []
    peers = Sku.objects.filter(is_active=True, product__is_visible=True).exclude(pk=verdict.sku_id)
    if verdict.peer_scope == PeerScope.LEAF:
        peers = peers.filter(product__category_id=verdict.peer_category_id)
    else:
        peers = peers.filter(
            product__category__parent_id=verdict.peer_category_id,
            product__category__price_basis=verdict.basis,
        )
    return list(
        peers.select_related("product")
        .annotate(distance=Abs(F("unit_price") - verdict.peer_median))
        .order_by("distance", "pk")[:limit]
    )
