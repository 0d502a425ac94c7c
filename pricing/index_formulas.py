"""Elementary price indices, as statistical offices compute them.

An *elementary* index compares the prices of the same items (a "matched sample") in two periods
without expenditure weights; it is the bottom layer of a CPI/PPI (ILO/IMF *Consumer Price Index
Manual*, ch. 9 "Calculating CPIs" and ch. 20 "Elementary indices"). This module holds the formulas
and nothing else: no Django, no I/O, no numpy. Callers pass plain mappings ``item key -> price``.

Conventions used throughout:

* **Matching.** Only items priced in *both* periods enter a comparison; an item that appears or
  disappears is ignored (matched-model method). See :func:`matched_pairs`.
* **Valid prices.** A price must be finite and strictly positive. ``None``, zero, negative, NaN and
  infinite prices are treated as "no price" and the item is left out, because a price relative
  ``p1 / p0`` (and its logarithm) is undefined or meaningless for them. Prices may be
  :class:`~decimal.Decimal`, ``int`` or ``float``; they are converted to ``float`` since index
  numbers are ratios, not money, and a 53-bit float ratio is far more precise than any published
  index (one decimal place).
* **Results** are ratios (1.0 = no change) except :func:`chained`, which returns levels scaled to
  ``base_value`` (100 by default).
* **Determinism.** Matched pairs are sorted by key, so every sum is taken in the same order and a
  result never depends on dict insertion order.

Which formula to publish: :func:`jevons` (the geometric mean of price relatives) is the formula the
Manual recommends for elementary aggregates and the one :func:`category_index_cell` publishes. It
passes the time-reversal, transitivity (for a fixed matched sample) and commensurability tests.
:func:`dutot` is acceptable only for homogeneous items (it changes with units of measurement);
:func:`carli` is biased upward and is here for comparison only.
"""

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

__all__ = [
    "MAD_TO_SIGMA",
    "IndexCell",
    "IndexFormula",
    "MatchedPair",
    "NoMatchedItems",
    "PriceLike",
    "carli",
    "carli_from_pairs",
    "category_index_cell",
    "category_index_cell_from_log_counts",
    "chained",
    "dutot",
    "dutot_from_pairs",
    "edit_relatives",
    "jevons",
    "jevons_from_pairs",
    "matched_pairs",
    "tornqvist",
]

K = TypeVar("K")

PriceLike = Decimal | float | int
"""A price as callers hold it: ``Decimal`` from the database, or a plain number."""

MatchedPair = tuple[K, float, float]
"""``(key, base price, current price)`` for an item validly priced in both periods."""

IndexFormula = Callable[[Mapping[Any, PriceLike | None], Mapping[Any, PriceLike | None]], float]
"""A bilateral formula ``(base prices, current prices) -> ratio``, e.g. :func:`jevons`."""

MAD_TO_SIGMA = 1.4826
"""1 / Φ⁻¹(3/4): scales the median absolute deviation to estimate σ of a normal distribution."""

_IQR_TO_SIGMA = 1.349
"""Interquartile range of a normal distribution in units of σ (2·Φ⁻¹(3/4))."""


class NoMatchedItems(ValueError):
    """Raised when two periods have no item validly priced in both, so no index can be formed."""


# --------------------------------------------------------------------------------------------
# Matching


def _valid_price(value: PriceLike | None) -> float | None:
    """Return ``value`` as a float if it is a usable price (finite and > 0), else ``None``."""
    if value is None:
        return None
    try:
        price = float(value)
    except (TypeError, ValueError):  # e.g. Decimal("sNaN") refuses float()
        return None
    if not math.isfinite(price) or price <= 0.0:
        return None
    return price


def _sorted_keys(keys: set[K]) -> list[K]:
    """Keys in a deterministic order: natural order if the keys are comparable, else by repr."""
    try:
        return sorted(keys)  # type: ignore[type-var]
    except TypeError:  # mixed key types, e.g. int and str
        return sorted(keys, key=lambda key: (type(key).__name__, repr(key)))


def matched_pairs(
    base: Mapping[K, PriceLike | None], current: Mapping[K, PriceLike | None]
) -> list[MatchedPair[K]]:
    """Items validly priced in both periods, as ``(key, p0, p1)`` sorted by key.

    This is the matched sample of the matched-model method: an item enters only if it has a
    finite, strictly positive price in *both* mappings. Items missing from either side, or with
    ``None``/zero/negative/NaN/infinite prices, are excluded (a relative p1/p0 is undefined for
    them). Prices are returned as floats.

    Returns an empty list when nothing matches; the index functions turn that into
    :class:`NoMatchedItems`.
    """
    pairs: list[MatchedPair[K]] = []
    for key in _sorted_keys(set(base).intersection(current)):
        p0 = _valid_price(base[key])
        p1 = _valid_price(current[key])
        if p0 is not None and p1 is not None:
            pairs.append((key, p0, p1))
    return pairs


def _require(pairs: Sequence[MatchedPair[Any]]) -> Sequence[MatchedPair[Any]]:
    if not pairs:
        raise NoMatchedItems("no item is validly priced (finite, > 0) in both periods")
    return pairs


# --------------------------------------------------------------------------------------------
# Elementary formulas on matched pairs


def jevons_from_pairs(pairs: Sequence[MatchedPair[Any]]) -> float:
    """Jevons index of already matched pairs: the geometric mean of the price relatives.

    ``P_J = Π (p1_i / p0_i) ^ (1/n) = exp( (1/n) Σ ln(p1_i / p0_i) )``

    Computed in logs with :func:`math.fsum` so that many relatives neither overflow nor lose
    precision. Raises :class:`NoMatchedItems` if ``pairs`` is empty.
    """
    _require(pairs)
    return math.exp(math.fsum(math.log(p1 / p0) for _, p0, p1 in pairs) / len(pairs))


def dutot_from_pairs(pairs: Sequence[MatchedPair[Any]]) -> float:
    """Dutot index of already matched pairs: the ratio of arithmetic mean prices.

    ``P_D = ((1/n) Σ p1_i) / ((1/n) Σ p0_i) = Σ p1_i / Σ p0_i``

    Raises :class:`NoMatchedItems` if ``pairs`` is empty.
    """
    _require(pairs)
    return math.fsum(p1 for _, _, p1 in pairs) / math.fsum(p0 for _, p0, _ in pairs)


def carli_from_pairs(pairs: Sequence[MatchedPair[Any]]) -> float:
    """Carli index of already matched pairs: the arithmetic mean of the price relatives.

    ``P_C = (1/n) Σ (p1_i / p0_i)``

    Biased upward; for comparison only (see :func:`carli`). Raises :class:`NoMatchedItems` if
    ``pairs`` is empty.
    """
    _require(pairs)
    return math.fsum(p1 / p0 for _, p0, p1 in pairs) / len(pairs)


# --------------------------------------------------------------------------------------------
# Elementary formulas on price mappings


def jevons(base: Mapping[K, PriceLike | None], current: Mapping[K, PriceLike | None]) -> float:
    """Jevons elementary index from ``base`` to ``current`` over matched items.

    ``P_J = Π_{i∈M} (p1_i / p0_i) ^ (1/|M|)``, M = :func:`matched_pairs`.

    The Manual's recommended elementary formula: it equals the ratio of geometric mean prices, so
    it is invariant to the units each item is priced in, it satisfies time reversal
    (``P_J(a, b) · P_J(b, a) = 1``) and, for a fixed matched sample, chaining equals the direct
    comparison. Raises :class:`NoMatchedItems` if nothing matches.
    """
    return jevons_from_pairs(matched_pairs(base, current))


def dutot(base: Mapping[K, PriceLike | None], current: Mapping[K, PriceLike | None]) -> float:
    """Dutot elementary index from ``base`` to ``current`` over matched items.

    ``P_D = Σ_{i∈M} p1_i / Σ_{i∈M} p0_i``, M = :func:`matched_pairs`.

    Equivalent to a mean of relatives weighted by base price, so expensive items dominate and the
    result changes if one item's unit of measurement changes (e.g. per jin instead of per kg).
    Suitable only for homogeneous items. Raises :class:`NoMatchedItems` if nothing matches.
    """
    return dutot_from_pairs(matched_pairs(base, current))


def carli(base: Mapping[K, PriceLike | None], current: Mapping[K, PriceLike | None]) -> float:
    """Carli elementary index from ``base`` to ``current`` over matched items — never publish it.

    ``P_C = (1/|M|) Σ_{i∈M} (p1_i / p0_i)``, M = :func:`matched_pairs`.

    Biased upward: by the AM–GM inequality ``P_C(a, b) · P_C(b, a) ≥ 1``, with equality only when
    every relative is the same, so prices that merely bounce back register as inflation, and the
    bias compounds when chained. Kept for comparison only (ILO/IMF CPI Manual ch. 20). Raises
    :class:`NoMatchedItems` if nothing matches.
    """
    return carli_from_pairs(matched_pairs(base, current))


def tornqvist(
    base_prices: Mapping[K, PriceLike | None],
    current_prices: Mapping[K, PriceLike | None],
    base_quantities: Mapping[K, PriceLike | None],
    current_quantities: Mapping[K, PriceLike | None],
) -> float:
    """Törnqvist index: a geometric mean of relatives weighted by average expenditure shares.

    ``P_T = exp( Σ_{i∈M} ½ (s0_i + s1_i) · ln(p1_i / p0_i) )``, with
    ``s_t_i = p_t_i q_t_i / Σ_{j∈M} p_t_j q_t_j``.

    M is the matched sample (:func:`matched_pairs`) further restricted to items that have a
    quantity in both periods; a quantity must be finite and ≥ 0 (zero is allowed: the item simply
    has no expenditure in that period). Shares are normalised over M, the usual matched-model
    convention. A superlative index: it approximates a cost-of-living index when quantities are
    known. Raises :class:`NoMatchedItems` if M is empty or its expenditure ``Σ p q`` is zero in
    either of the two periods.
    """
    rows: list[tuple[float, float, float, float]] = []
    for key, p0, p1 in matched_pairs(base_prices, current_prices):
        q0 = _valid_quantity(base_quantities.get(key))
        q1 = _valid_quantity(current_quantities.get(key))
        if q0 is not None and q1 is not None:
            rows.append((p0, p1, q0, q1))
    if not rows:
        raise NoMatchedItems("no item has valid prices and quantities in both periods")
    expenditure0 = math.fsum(p0 * q0 for p0, _, q0, _ in rows)
    expenditure1 = math.fsum(p1 * q1 for _, p1, _, q1 in rows)
    if expenditure0 <= 0.0 or expenditure1 <= 0.0:
        raise NoMatchedItems("the matched items have no expenditure in one of the periods")
    return math.exp(
        math.fsum(
            0.5 * (p0 * q0 / expenditure0 + p1 * q1 / expenditure1) * math.log(p1 / p0)
            for p0, p1, q0, q1 in rows
        )
    )


def _valid_quantity(value: PriceLike | None) -> float | None:
    """Return ``value`` as a float if it is a usable quantity (finite and ≥ 0), else ``None``."""
    if value is None:
        return None
    try:
        quantity = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(quantity) or quantity < 0.0:
        return None
    return quantity


# --------------------------------------------------------------------------------------------
# Chaining


def chained(
    periods: Sequence[Mapping[K, PriceLike | None]],
    formula: IndexFormula = jevons,
    *,
    base_value: float = 100.0,
) -> list[float]:
    """Chained index levels: each period linked to the one before it.

    ``I_0 = base_value``, ``I_t = I_{t-1} · P(periods[t-1], periods[t])``, where ``P`` is
    ``formula`` (default :func:`jevons`) computed over the items matched between that consecutive
    pair only. Chaining lets the sample follow items as they appear and disappear, at the price of
    possible chain drift for formulas that fail time reversal (Carli drifts upward; Jevons with a
    fixed, fully matched sample does not drift: its chain equals the direct comparison).

    **Gaps carry forward.** If a consecutive pair has no matched item (``formula`` raises
    :class:`NoMatchedItems`), the previous level is repeated (link = 1). Beware that this also
    means a price change *across* an empty period is never measured: with prices ``{a: 1}``,
    ``{}``, ``{a: 2}`` the result is ``[100, 100, 100]``, because each link compares only
    neighbours. A caller that must not publish such a series should check the matched counts
    itself (e.g. with :func:`matched_pairs`).

    Returns one level per period (an empty list for no periods).
    """
    levels: list[float] = []
    for t, prices in enumerate(periods):
        if t == 0:
            levels.append(float(base_value))
            continue
        try:
            link = formula(periods[t - 1], prices)
        except NoMatchedItems:
            link = 1.0
        levels.append(levels[-1] * link)
    return levels


# --------------------------------------------------------------------------------------------
# Outlier editing


def edit_relatives(
    pairs: Sequence[MatchedPair[K]],
    *,
    method: Literal["mad", "tukey"] = "mad",
    k: float | None = None,
    scale_floor: float = 0.1,
) -> tuple[list[MatchedPair[K]], list[MatchedPair[K]]]:
    """Split matched pairs into ``(kept, dropped)`` by screening their log price relatives.

    Work on ``x_i = ln(p1_i / p0_i)``, so that a price that went ×20 and one that went ÷20 are
    equally suspicious. Two rules:

    * ``"mad"`` (default; ``k`` defaults to 3.5): drop ``i`` when
      ``|x_i − median(x)| > k · σ̂`` with ``σ̂ = max(1.4826 · MAD, scale_floor)`` and
      ``MAD = median(|x − median(x)|)``. This is the Iglewicz–Hoaglin "modified z-score > 3.5"
      rule; median and MAD tolerate up to half the sample being bad, which matters for the small
      samples of a category cell.
    * ``"tukey"`` (``k`` defaults to 3.0, Tukey's "far out" fences): drop ``i`` when ``x_i`` lies
      outside ``[Q1 − k · IQR, Q3 + k · IQR]``, with ``IQR = max(Q3 − Q1, 1.349 · scale_floor)`` and
      quartiles by linear interpolation (``statistics.quantiles(method="inclusive")``, numpy's
      default). 3.0 rather than 1.5 because editing should remove errors, not genuine price moves.

    ``scale_floor`` (log units, default 0.1 ≈ a 10 % price change) bounds the spread from below.
    Without it, when more than half the prices are unchanged (MAD = 0, a common case) *every*
    changed price would count as an outlier. With the defaults and a sample of unchanged prices,
    the MAD rule drops a relative only outside ``exp(±0.35)`` ≈ [0.70, 1.42]. Set it to 0 to
    disable the floor (then ties can make the spread zero and drop every differing relative).

    With fewer than 3 pairs nothing is dropped: there is no majority to judge an outlier against.
    Both lists keep the input order. Raises ``ValueError`` for an unknown ``method``, a
    non-positive ``k`` or a negative ``scale_floor``.
    """
    if method not in ("mad", "tukey"):
        raise ValueError(f"unknown outlier method {method!r}; use 'mad' or 'tukey'")
    if k is None:
        k = 3.5 if method == "mad" else 3.0
    if not k > 0:
        raise ValueError(f"k must be positive, got {k!r}")
    if not scale_floor >= 0:
        raise ValueError(f"scale_floor must be non-negative, got {scale_floor!r}")
    if len(pairs) < 3:
        return list(pairs), []

    logs = [math.log(p1 / p0) for _, p0, p1 in pairs]
    if method == "mad":
        centre = statistics.median(logs)
        mad = statistics.median(abs(x - centre) for x in logs)
        limit = k * max(MAD_TO_SIGMA * mad, scale_floor)

        def is_outlier(x: float) -> bool:
            return abs(x - centre) > limit

    else:
        q1, _, q3 = statistics.quantiles(logs, n=4, method="inclusive")
        spread = max(q3 - q1, _IQR_TO_SIGMA * scale_floor)
        low, high = q1 - k * spread, q3 + k * spread

        def is_outlier(x: float) -> bool:
            return x < low or x > high

    kept: list[MatchedPair[K]] = []
    dropped: list[MatchedPair[K]] = []
    for pair, x in zip(pairs, logs, strict=True):
        (dropped if is_outlier(x) else kept).append(pair)
    return kept, dropped


# --------------------------------------------------------------------------------------------
# Published cells


@dataclass(frozen=True, slots=True)
class IndexCell:
    """One cell of a published index table (e.g. a product category in one period).

    ``value`` is the Jevons ratio (1.0 = no change), or ``None`` when the cell is not published.
    ``matched`` is how many matched items the value rests on, *after* outlier editing — the count
    shown next to a published cell. ``dropped`` is how many matched items editing removed, so
    ``matched + dropped`` is the matched sample before editing. ``published`` is ``value is not
    None``.
    """

    value: float | None
    matched: int
    dropped: int
    published: bool


def category_index_cell(
    base: Mapping[K, PriceLike | None],
    current: Mapping[K, PriceLike | None],
    *,
    min_matched: int = 5,
    edit: bool = True,
) -> IndexCell:
    """The publishable Jevons index of one category between two periods.

    Match the items (:func:`matched_pairs`), drop outlying relatives with
    :func:`edit_relatives` (default MAD rule) when ``edit`` is true, then take
    :func:`jevons_from_pairs` of what remains. A cell resting on fewer than ``min_matched`` items
    (counted after editing) is not published: ``value=None, published=False``, but the counts are
    still filled in so the caller can say why. Never raises for lack of matches.
    """
    if min_matched < 1:
        raise ValueError(f"min_matched must be at least 1, got {min_matched!r}")
    pairs = matched_pairs(base, current)
    kept, dropped = edit_relatives(pairs) if edit else (pairs, [])
    if len(kept) < min_matched:
        return IndexCell(value=None, matched=len(kept), dropped=len(dropped), published=False)
    return IndexCell(value=jevons_from_pairs(kept), matched=len(kept), dropped=len(dropped), published=True)


def _median_of_counts(items: Sequence[tuple[float, int]], n: int) -> float:
    """``statistics.median`` of the sample in which each ``value`` occurs ``count`` times.

    ``items`` are ``(value, count)`` sorted by value with positive counts summing to ``n`` (> 0).
    The middle element, or the mean of the two middle elements for even ``n``, exactly as
    ``statistics.median`` returns it for the expanded list.
    """
    lower_pos, upper_pos = (n - 1) // 2, n // 2  # 0-based positions of the middle element(s)
    lower = upper = None
    seen = 0
    for value, count in items:
        seen += count
        if lower is None and seen > lower_pos:
            lower = value
        if seen > upper_pos:
            upper = value
            break
    if n % 2:
        return upper  # type: ignore[return-value]
    return (lower + upper) / 2  # type: ignore[operator]


def category_index_cell_from_log_counts(
    log_relatives: Mapping[float, int],
    *,
    min_matched: int = 5,
    edit: bool = True,
    k: float = 3.5,
    scale_floor: float = 0.1,
) -> IndexCell:
    """:func:`category_index_cell` for a sample given as ``{ln(p1/p0): number of items}``.

    A large index run meets millions of relatives, most of them exactly 0 (the price did not
    change), so it counts them instead of listing them. The result is the one
    :func:`category_index_cell` gives on the matched pairs whose log relatives these are: the
    same MAD screening as :func:`edit_relatives` (``method="mad"``, same ``k`` and
    ``scale_floor``; nothing dropped below 3 items) on the expanded sample, the same counts, and
    the Jevons index of the kept items — equal up to floating-point rounding, since the sum of
    logs is taken as ``Σ count·x`` instead of item by item. Counts must be positive integers;
    non-finite values are refused with ``ValueError``.
    """
    if min_matched < 1:
        raise ValueError(f"min_matched must be at least 1, got {min_matched!r}")
    items = sorted((float(x), int(c)) for x, c in log_relatives.items() if c)
    if any(c < 0 for _, c in items):
        raise ValueError("counts must not be negative")
    if any(not math.isfinite(x) for x, _ in items):
        raise ValueError("log relatives must be finite")
    n = sum(c for _, c in items)
    kept = items
    if edit and n >= 3:
        centre = _median_of_counts(items, n)
        deviations = sorted((abs(x - centre), c) for x, c in items)
        mad = _median_of_counts(deviations, n)
        limit = k * max(MAD_TO_SIGMA * mad, scale_floor)
        kept = [(x, c) for x, c in items if not abs(x - centre) > limit]
    matched = sum(c for _, c in kept)
    dropped = n - matched
    if matched < min_matched:
        return IndexCell(value=None, matched=matched, dropped=dropped, published=False)
    value = math.exp(math.fsum(x * c for x, c in kept) / matched)
    return IndexCell(value=value, matched=matched, dropped=dropped, published=True)
