"""inspections.sampling: the risk score, the allocation to strata, the inclusion probabilities and the
seeded draw (pure functions)."""

import random

import pytest

from inspections import sampling
from inspections.sampling import Unit


def test_a_clean_listing_has_no_risk():
    assert sampling.risk_score({}) == 0.0
    assert sampling.risk_score({"standing": "pass", "credit_score": 100, "initial_credit": 100}) == 0.0


def test_each_risk_factor_adds_its_documented_weight():
    assert sampling.risk_score({"standing": "blocking"}) == 3.0
    assert sampling.risk_score({"standing": "major"}) == 1.5
    assert sampling.risk_score({"price_verdict": "very_high", "price_severity": 0.7}) == pytest.approx(1.7)
    assert sampling.risk_score({"price_verdict": "high", "price_severity": 9}) == 2.5  # severity capped at 2
    assert sampling.risk_score({"price_verdict": "reasonable", "price_severity": 1}) == 0.0
    assert sampling.risk_score({"credit_score": 85, "initial_credit": 100}) == 1.5
    assert sampling.risk_score({"credit_score": 10, "initial_credit": 100}) == 2.0
    assert sampling.risk_score({"violations": 2}) == 2.0
    assert sampling.risk_score({"violations": 7}) == 3.0
    assert sampling.risk_score({"reports": 1}) == 1.0
    assert sampling.risk_score({"expiring_qualifications": 2}) == 0.5
    everything = {
        "standing": "minor",
        "price_verdict": "low",
        "price_severity": 0.25,
        "violations": 1,
        "reports": 1,
        "expiring_qualifications": 1,
    }
    assert sampling.risk_score(everything) == pytest.approx(0.5 + 1.25 + 1 + 1 + 0.5)


def test_allocation_is_proportional_with_at_least_one_each():
    assert sampling.allocate({"a": 900, "b": 90, "c": 10}, 100) == {"a": 90, "b": 9, "c": 1}
    assert sampling.allocate({"a": 990, "b": 5, "c": 5}, 100) == {"a": 98, "b": 1, "c": 1}
    assert sampling.allocate({"a": 50, "b": 50}, 3) in ({"a": 2, "b": 1}, {"a": 1, "b": 2})


def test_allocation_never_exceeds_a_stratum_and_passes_the_rest_on():
    assert sampling.allocate({"a": 1, "b": 100}, 50) == {"a": 1, "b": 49}
    assert sampling.allocate({"a": 4, "b": 6, "c": 100}, 100) == {"a": 4, "b": 6, "c": 90}
    assert sampling.allocate({"a": 2, "b": 3}, 50) == {"a": 2, "b": 3}
    assert sampling.allocate({"a": 10, "b": 10, "c": 10}, 2) == {"a": 1, "b": 1, "c": 0}


def test_probabilities_sum_to_the_allocation_rise_with_risk_and_respect_floor_and_cap():
    risks = [0.0] * 90 + [1.0] * 8 + [50.0, 200.0]
    pis = sampling.inclusion_probabilities(risks, 10, 0.02)
    assert sum(pis) == pytest.approx(10)
    assert pis[99] == 1.0 and pis[98] == 1.0  # capped
    assert pis[90] == pytest.approx(2 * pis[0])  # proportional to 1 + risk between floor and cap
    assert min(pis) >= 0.02


def test_the_floor_holds_even_when_the_risks_would_push_below_it():
    risks = [0.0] * 1000 + [3.0] * 100
    pis = sampling.inclusion_probabilities(risks, 20, 0.015)
    assert sum(pis) == pytest.approx(20)
    assert pis[0] == 0.015  # c * 1 = 0.0125 would be below the floor
    assert pis[-1] == pytest.approx(0.05)  # 15 at the floor, the other 5 over 100 listings of weight 4


def test_a_floor_above_the_budget_wins():
    assert sampling.inclusion_probabilities([0.0, 5.0, 1.0], 0.5, 0.3) == [0.3, 0.3, 0.3]
    assert sampling.inclusion_probabilities([0.0, 5.0], 3, 0.1) == [1.0, 1.0]


def _frame(n=2000):
    g = random.Random(7)
    return [Unit(i, f"s{i % 4}", g.choice([0.0, 0.0, 0.0, 1.5, 4.0])) for i in range(1, n + 1)]


def test_the_same_seed_draws_the_same_listings_and_another_seed_others():
    units = _frame()
    first = sampling.draw(units, 100, 0.01, random.Random(42))
    again = sampling.draw(list(reversed(units)), 100, 0.01, random.Random(42))
    other = sampling.draw(units, 100, 0.01, random.Random(43))
    assert [d.key for d in first] == [d.key for d in again]
    assert [d.key for d in first] != [d.key for d in other]
    assert 60 < len(first) < 140  # Poisson: the budget in expectation


def test_reviewers_are_never_the_excluded_and_the_load_is_balanced():
    rng = random.Random(1)
    listings = list(range(30))
    out = sampling.assign_reviewers(
        listings, [7, 8, 9], excluded={0: [7, 8, 9], 1: [7], 2: [8, 9]}, load={9: 5}, rng=rng
    )
    assert out[0] is None
    assert out[1] != 7
    assert out[2] == 7
    counts = {r: sum(1 for v in out.values() if v == r) for r in (7, 8, 9)}
    assert counts[7] + 0 == counts[8] or abs(counts[7] - counts[8]) <= 1
    assert abs((counts[9] + 5) - counts[7]) <= 1
