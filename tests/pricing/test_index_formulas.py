"""Tests for pricing.index_formulas: hand-computed cases, agreement with a published reference
implementation (PriceIndexCalc 0.7), and the index-number tests the formulas must pass or fail."""

import math
import random
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PriceIndexCalc.pandas_modules import bilateral as reference

from pricing.index_formulas import (
    IndexCell,
    NoMatchedItems,
    carli,
    category_index_cell,
    chained,
    dutot,
    edit_relatives,
    jevons,
    jevons_from_pairs,
    matched_pairs,
    tornqvist,
)

REL = 1e-9
SQRT2 = math.sqrt(2)

# --------------------------------------------------------------------------------------------
# Hand-computed cases

BASE = {"a": 1, "b": 2}
CURRENT = {"a": 2, "b": 2}


def test_small_case_by_hand():
    # relatives a: 2/1 = 2, b: 2/2 = 1
    assert jevons(BASE, CURRENT) == pytest.approx(SQRT2, rel=REL)  # (2·1)^(1/2)
    assert dutot(BASE, CURRENT) == pytest.approx(4 / 3, rel=REL)  # (2+2)/(1+2)
    assert carli(BASE, CURRENT) == pytest.approx(1.5, rel=REL)  # (2+1)/2


def test_unmatched_and_invalid_prices_are_ignored():
    base = {**BASE, "gone": 5, "zero": 0, "neg": 3, "none": None, "nan": float("nan"), "inf": 1}
    current = {**CURRENT, "new": 7, "zero": 4, "neg": -3, "none": 2, "nan": 2, "inf": float("inf")}
    assert [key for key, _, _ in matched_pairs(base, current)] == ["a", "b"]
    assert jevons(base, current) == pytest.approx(SQRT2, rel=REL)
    assert dutot(base, current) == pytest.approx(4 / 3, rel=REL)
    assert carli(base, current) == pytest.approx(1.5, rel=REL)


def test_decimal_prices_are_accepted():
    base = {"a": Decimal("1.00"), "b": Decimal("2.00"), "x": Decimal("NaN")}
    current = {"a": Decimal("2.00"), "b": Decimal("2"), "x": Decimal("1.00")}
    assert matched_pairs(base, current) == [("a", 1.0, 2.0), ("b", 2.0, 2.0)]
    assert all(isinstance(p, float) for _, p0, p1 in matched_pairs(base, current) for p in (p0, p1))
    assert jevons(base, current) == pytest.approx(SQRT2, rel=REL)
    assert dutot(base, current) == pytest.approx(4 / 3, rel=REL)


def test_matched_pairs_are_sorted_by_key_whatever_the_insertion_order():
    base = {"c": 3, "a": 1, "b": 2}
    current = {"b": 4, "c": 6, "a": 2}
    assert matched_pairs(base, current) == [("a", 1.0, 2.0), ("b", 2.0, 4.0), ("c", 3.0, 6.0)]


@pytest.mark.parametrize("formula", [jevons, dutot, carli])
def test_no_matched_items_raises(formula):
    with pytest.raises(NoMatchedItems):
        formula({"a": 1, "b": 0}, {"b": 2, "c": 3})
    assert issubclass(NoMatchedItems, ValueError)


# Four periods: items appear (c), disappear (a) and are priced at several levels.
P0 = {"a": 1, "b": 4}
P1 = {"a": 2, "b": 4, "c": 5}  # a,b matched: relatives 2, 1
P2 = {"a": 2, "b": 8, "c": 20}  # a,b,c matched: relatives 1, 2, 4
P3 = {"b": 4, "c": 5, "d": 7}  # b,c matched: relatives 1/2, 1/4


def test_jevons_chain_by_hand():
    # links: √(2·1) = √2; ∛(1·2·4) = 2; √(½·¼) = 1/(2√2)
    assert chained([P0, P1, P2, P3]) == pytest.approx([100, 100 * SQRT2, 200 * SQRT2, 100], rel=REL)


def test_dutot_chain_by_hand():
    # links: (2+4)/(1+4) = 6/5; (2+8+20)/(2+4+5) = 30/11; (4+5)/(8+20) = 9/28
    expected = [100, 120, 120 * 30 / 11, 120 * 30 / 11 * 9 / 28]
    assert chained([P0, P1, P2, P3], dutot) == pytest.approx(expected, rel=REL)
    assert expected[-1] == pytest.approx(8100 / 77, rel=REL)


def test_chain_base_value_and_trivial_lengths():
    assert chained([P0, P1], base_value=1.0) == pytest.approx([1.0, SQRT2], rel=REL)
    assert chained([]) == []
    assert chained([P0]) == [100.0]


def test_chain_carries_the_level_forward_over_a_link_without_matches():
    # a→b has nothing in common: the level is carried; b then doubles.
    assert chained([{"a": 1}, {"b": 1}, {"b": 2}]) == pytest.approx([100, 100, 200], rel=REL)
    # Documented caveat: a change across an empty period is not measured.
    assert chained([{"a": 1}, {}, {"a": 2}]) == pytest.approx([100, 100, 100], rel=REL)


def test_tornqvist_two_items_by_hand():
    p0, p1 = {"a": 1, "b": 2}, {"a": 2, "b": 2}
    q0, q1 = {"a": 2, "b": 1}, {"a": 1, "b": 2}
    # expenditure: base a 2, b 2 → s0 = (1/2, 1/2); current a 2, b 4 → s1 = (1/3, 2/3)
    # weights ½(s0+s1): a 5/12, b 7/12; ln relatives: a ln 2, b 0  →  P_T = 2^(5/12)
    expected = 2 ** (5 / 12)
    assert tornqvist(p0, p1, q0, q1) == pytest.approx(expected, rel=REL)
    # An item without a quantity in one period is not in the matched sample.
    assert tornqvist({**p0, "c": 1}, {**p1, "c": 9}, {**q0, "c": 5}, q1) == pytest.approx(expected, rel=REL)
    # Decimal quantities and prices work the same.
    dec = {k: Decimal(v) for k, v in p0.items()}
    assert tornqvist(dec, p1, q0, {k: Decimal(v) for k, v in q1.items()}) == pytest.approx(expected, rel=REL)


def test_tornqvist_without_matched_quantities_raises():
    with pytest.raises(NoMatchedItems):
        tornqvist({"a": 1}, {"a": 2}, {"a": 1}, {})
    with pytest.raises(NoMatchedItems):
        tornqvist({"a": 1}, {"a": 2}, {"a": 0}, {"a": 0})


# --------------------------------------------------------------------------------------------
# Agreement with PriceIndexCalc 0.7 (PriceIndexCalc.pandas_modules.bilateral)
#
# The reference takes aligned numpy arrays; the matching is done here independently of
# matched_pairs, with a pandas inner merge on the item id after dropping invalid prices.
# (Its DataFrame entry points import seaborn/statsmodels/scikit-learn, which it does not declare,
# so the suite uses the formula module, which needs numpy only.)

N_ITEMS = 50
N_PERIODS = 6
SEEDS = range(20)


def _panel(seed: int) -> list[tuple[dict, dict]]:
    """Prices and quantities for N_ITEMS items over N_PERIODS periods, with gaps and junk."""
    rng = random.Random(seed)
    as_decimal = seed % 2 == 0
    panel = []
    for _ in range(N_PERIODS):
        prices, quantities = {}, {}
        for item in range(N_ITEMS):
            roll = rng.random()
            if roll < 0.1:
                continue  # not on sale this period
            price = rng.lognormvariate(2.0, 0.8)
            if roll < 0.13:
                price = rng.choice([0, -price, None])  # junk the module must skip
            elif as_decimal:
                price = Decimal(f"{price:.2f}")
            prices[f"sku-{item:03d}"] = price
            quantities[f"sku-{item:03d}"] = rng.randint(1, 500)
        panel.append((prices, quantities))
    return panel


def _reference_arrays(base: tuple[dict, dict], current: tuple[dict, dict]):
    """Aligned (p0, p1, q0, q1) numpy arrays of the matched, validly priced items."""

    def frame(period):
        prices, quantities = period
        df = pd.DataFrame(
            {
                "id": list(prices),
                "price": [np.nan if p is None else float(p) for p in prices.values()],
                "quantity": [float(quantities[key]) for key in prices],
            }
        )
        return df[df["price"] > 0]

    merged = frame(base).merge(frame(current), on="id", suffixes=("0", "1"))
    return (merged[col].to_numpy() for col in ("price0", "price1", "quantity0", "quantity1"))


@pytest.mark.parametrize("seed", SEEDS)
def test_bilateral_indices_agree_with_priceindexcalc(seed):
    panel = _panel(seed)
    for first, last in [(0, 1), (0, N_PERIODS - 1), (3, 2)]:
        p0, p1, q0, q1 = _reference_arrays(panel[first], panel[last])
        base, current = panel[first][0], panel[last][0]
        assert len(matched_pairs(base, current)) == len(p0)
        assert 20 < len(p0) < N_ITEMS  # unmatched and junk items really were present
        assert jevons(base, current) == pytest.approx(reference.jevons(p0, p1), rel=REL)
        assert dutot(base, current) == pytest.approx(reference.dutot(p0, p1), rel=REL)
        assert carli(base, current) == pytest.approx(reference.carli(p0, p1), rel=REL)
        mine = tornqvist(base, current, panel[first][1], panel[last][1])
        assert mine == pytest.approx(reference.tornqvist(p0, p1, q0, q1), rel=REL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("formula", "ref"), [(jevons, reference.jevons), (dutot, reference.dutot), (carli, reference.carli)]
)
def test_chained_agrees_with_chained_priceindexcalc_links(seed, formula, ref):
    # PriceIndexCalc's own chaining (chaining.linking_method) is annual chain-linking of an
    # already computed series at a link month, not period-to-period chaining, so its bilateral
    # links are chained here by hand.
    panel = _panel(seed)
    expected = [100.0]
    for t in range(1, N_PERIODS):
        p0, p1, _, _ = _reference_arrays(panel[t - 1], panel[t])
        expected.append(expected[-1] * ref(p0, p1))
    assert chained([prices for prices, _ in panel], formula) == pytest.approx(expected, rel=REL)


# --------------------------------------------------------------------------------------------
# Index-number tests (properties)

prices_st = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
price_maps = st.dictionaries(st.integers(0, 9), prices_st, min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(base=price_maps, current=price_maps)
def test_jevons_passes_time_reversal(base, current):
    assume(matched_pairs(base, current))
    assert jevons(base, current) * jevons(current, base) == pytest.approx(1.0, rel=REL)


@settings(max_examples=200, deadline=None)
@given(
    periods=st.integers(1, 12).flatmap(
        lambda n: st.lists(st.lists(prices_st, min_size=n, max_size=n), min_size=2, max_size=5)
    )
)
def test_jevons_chain_equals_direct_with_full_matching(periods):
    maps = [dict(enumerate(row)) for row in periods]
    levels = chained(maps, base_value=1.0)
    assert levels[-1] == pytest.approx(jevons(maps[0], maps[-1]), rel=REL)


@settings(max_examples=200, deadline=None)
@given(base=price_maps, current=price_maps)
def test_carli_fails_time_reversal_upward(base, current):
    pairs = matched_pairs(base, current)
    assume(pairs)
    product = carli(base, current) * carli(current, base)
    relatives = [p1 / p0 for _, p0, p1 in pairs]
    if max(relatives) / min(relatives) > 1.001:
        assert product > 1.0  # strictly: mean(r)·mean(1/r) > 1 unless all r are equal
    else:
        assert product >= 1.0 - 1e-12


def test_carli_time_reversal_by_hand():
    # relatives 2 and 1: C(a,b) = 1.5, C(b,a) = (½ + 1)/2 = 0.75, product 1.125
    assert carli(BASE, CURRENT) * carli(CURRENT, BASE) == pytest.approx(1.125, rel=REL)


def test_dutot_depends_on_units_jevons_does_not():
    # Item a re-quoted per 10 units instead of per unit: same goods, same price changes.
    base10, current10 = {**BASE, "a": 10}, {**CURRENT, "a": 20}
    assert dutot(base10, current10) == pytest.approx(22 / 12, rel=REL)  # was 4/3
    assert dutot(base10, current10) != pytest.approx(dutot(BASE, CURRENT), rel=1e-3)
    assert jevons(base10, current10) == pytest.approx(jevons(BASE, CURRENT), rel=REL)
    assert carli(base10, current10) == pytest.approx(carli(BASE, CURRENT), rel=REL)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(prices_st, prices_st, st.floats(0.001, 1000)), min_size=1, max_size=15),
)
def test_jevons_is_invariant_to_units_of_measurement(rows):
    base = {i: p0 for i, (p0, _, _) in enumerate(rows)}
    current = {i: p1 for i, (_, p1, _) in enumerate(rows)}
    base_rescaled = {i: p0 * c for i, (p0, _, c) in enumerate(rows)}
    current_rescaled = {i: p1 * c for i, (_, p1, c) in enumerate(rows)}
    assert jevons(base_rescaled, current_rescaled) == pytest.approx(jevons(base, current), rel=REL)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(prices_st, prices_st), min_size=1, max_size=15))
def test_tornqvist_with_equal_expenditure_shares_is_jevons(rows):
    base = {i: p0 for i, (p0, _) in enumerate(rows)}
    current = {i: p1 for i, (_, p1) in enumerate(rows)}
    q0 = {i: 1 / p for i, p in base.items()}  # every item's expenditure is 1 in both periods
    q1 = {i: 1 / p for i, p in current.items()}
    assert tornqvist(base, current, q0, q1) == pytest.approx(jevons(base, current), rel=REL)


# --------------------------------------------------------------------------------------------
# Outlier editing and published cells


def _pairs(relatives: list[float]) -> list[tuple[str, float, float]]:
    return [(f"i{n:02d}", 10.0, 10.0 * r) for n, r in enumerate(relatives)]


NEAR_ONE = [0.97, 1.02, 1.00, 0.99, 1.03, 1.01, 0.98, 1.04, 0.96]


@pytest.mark.parametrize("method", ["mad", "tukey"])
@pytest.mark.parametrize("outlier", [20.0, 1 / 20])
def test_editing_drops_an_obvious_outlier_and_keeps_the_rest(method, outlier):
    pairs = _pairs([*NEAR_ONE[:4], outlier, *NEAR_ONE[4:]])
    kept, dropped = edit_relatives(pairs, method=method)
    assert dropped == [pairs[4]]
    assert kept == pairs[:4] + pairs[5:]


@pytest.mark.parametrize("method", ["mad", "tukey"])
def test_editing_keeps_ordinary_dispersion(method):
    pairs = _pairs([0.8, 0.9, 1.0, 1.1, 1.25, 0.95, 1.05])
    assert edit_relatives(pairs, method=method) == (pairs, [])


@pytest.mark.parametrize("method", ["mad", "tukey"])
def test_editing_with_mostly_unchanged_prices(method):
    # MAD and IQR are 0 here; the scale floor keeps a genuine 5 % change and drops the ×20.
    pairs = _pairs([1.0] * 8 + [1.05, 20.0])
    kept, dropped = edit_relatives(pairs, method=method)
    assert dropped == [pairs[-1]]
    assert kept == pairs[:-1]
    # Without the floor every changed price would be "an outlier".
    assert edit_relatives(pairs, method=method, scale_floor=0)[1] == pairs[-2:]


@pytest.mark.parametrize("method", ["mad", "tukey"])
@pytest.mark.parametrize("relatives", [[], [50.0], [1.0, 50.0]])
def test_editing_leaves_tiny_samples_alone(method, relatives):
    pairs = _pairs(relatives)
    assert edit_relatives(pairs, method=method) == (pairs, [])


# Log relatives -0.4 … 0.3 in steps of 0.1, plus one value x under test.
SPREAD_LOGS = [-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]


@pytest.mark.parametrize(
    ("method", "x", "is_dropped"),
    [
        # median 0, MAD 0.2 → σ̂ = 1.4826·0.2 = 0.29652, cut at 3.5·σ̂ = 1.0378
        ("mad", 1.00, False),
        ("mad", 1.08, True),
        # inclusive quartiles Q1 = -0.2, Q3 = 0.2, IQR 0.4 → upper fence 0.2 + 3·0.4 = 1.4
        ("tukey", 1.35, False),
        ("tukey", 1.45, True),
    ],
)
def test_editing_cut_points_by_hand(method, x, is_dropped):
    pairs = _pairs([math.exp(v) for v in [*SPREAD_LOGS, x]])
    kept, dropped = edit_relatives(pairs, method=method)
    assert dropped == ([pairs[-1]] if is_dropped else [])
    assert kept == (pairs[:-1] if is_dropped else pairs)


def test_editing_k_controls_the_cut():
    pairs = _pairs([*NEAR_ONE, 1.6])  # ln 1.6 ≈ 0.47: outside 3.5·0.1 = 0.35, inside 5·0.1
    assert edit_relatives(pairs)[1] == [pairs[-1]]
    assert edit_relatives(pairs, k=5)[1] == []


@pytest.mark.parametrize("kwargs", [{"method": "zscore"}, {"k": 0}, {"k": -1.0}, {"scale_floor": -0.1}])
def test_editing_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        edit_relatives(_pairs(NEAR_ONE), **kwargs)


@settings(max_examples=200, deadline=None)
@given(
    relatives=st.lists(st.floats(0.01, 100), max_size=30),
    method=st.sampled_from(["mad", "tukey"]),
)
def test_editing_partitions_the_pairs_in_order(relatives, method):
    pairs = _pairs(relatives)
    kept, dropped = edit_relatives(pairs, method=method)
    assert len(kept) + len(dropped) == len(pairs)
    assert sorted(kept + dropped) == sorted(pairs)
    assert kept == [p for p in pairs if p in kept]
    assert dropped == [p for p in pairs if p in dropped]
    if pairs:
        assert kept  # the median itself is never an outlier


def _category(n_items: int, extra: dict | None = None) -> tuple[dict, dict]:
    base = {f"sku-{i}": Decimal("10.00") + i for i in range(n_items)}
    current = {key: price * Decimal("1.10") for key, price in base.items()}
    base["only-base"] = Decimal("3.00")  # unmatched, must not count
    for key, (p0, p1) in (extra or {}).items():
        base[key], current[key] = p0, p1
    return base, current


def test_cell_with_four_matched_items_is_not_published():
    cell = category_index_cell(*_category(4))
    assert cell == IndexCell(value=None, matched=4, dropped=0, published=False)


def test_cell_with_five_matched_items_is_published():
    cell = category_index_cell(*_category(5))
    assert cell.published
    assert cell.matched == 5
    assert cell.dropped == 0
    assert cell.value == pytest.approx(1.10, rel=REL)


def test_cell_is_computed_on_edited_relatives():
    base, current = _category(5, {"typo": (Decimal("10.00"), Decimal("200.00"))})
    cell = category_index_cell(base, current)
    assert cell == IndexCell(value=pytest.approx(1.10, rel=REL), matched=5, dropped=1, published=True)
    unedited = category_index_cell(base, current, edit=False)
    assert unedited.matched == 6
    assert unedited.dropped == 0
    assert unedited.value == pytest.approx((1.1**5 * 20) ** (1 / 6), rel=REL)
    assert unedited.value == pytest.approx(jevons(base, current), rel=REL)


def test_cell_count_is_after_editing():
    # 5 matched, one of them an outlier: the value would rest on 4 items, so it is withheld.
    base, current = _category(4, {"typo": (Decimal("10.00"), Decimal("200.00"))})
    assert category_index_cell(base, current) == IndexCell(value=None, matched=4, dropped=1, published=False)


def test_cell_threshold_and_empty_cell():
    base, current = _category(3)
    assert category_index_cell(base, current, min_matched=3).published
    assert category_index_cell({}, current) == IndexCell(value=None, matched=0, dropped=0, published=False)
    with pytest.raises(ValueError):
        category_index_cell(base, current, min_matched=0)


def test_jevons_from_pairs_matches_jevons():
    pairs = matched_pairs(P1, P2)
    assert jevons_from_pairs(pairs) == pytest.approx(jevons(P1, P2), rel=REL)
    with pytest.raises(NoMatchedItems):
        jevons_from_pairs([])
