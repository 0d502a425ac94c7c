"""inspections.estimates: the Hájek rate, its design-based variance and its 95% interval — checked by hand
on small cases, and against simulated phases with a known truth (the interval must cover it 93–97% of the
time, at a low and a moderate rate)."""

import math
import random

import numpy as np
import pytest
from scipy import stats

from inspections import estimates, sampling
from inspections.estimates import Observation


def test_no_check_done_gives_no_rate():
    e = estimates.hajek([])
    assert (e.checks, e.violations, e.rate, e.low, e.high) == (0, 0, None, None, None)


def test_a_hand_computed_case():
    obs = [Observation("a", 0.5, True), Observation("a", 0.5, False), Observation("b", 0.25, False)]
    e = estimates.hajek(obs)
    # weights 2, 2, 4: rate 2/8; terms (1-π)(w(y-p))²: 0.5·1.5², 0.5·0.5², 0.75·1² = 1.125, 0.125, 0.75
    assert e.rate == pytest.approx(0.25)
    variance = 2.0 / 64
    assert e.effective_size == pytest.approx(0.25 * 0.75 / variance)  # 6.0
    df = 2.0**2 / (1.125**2 + 0.125**2 + 0.75**2)
    t = stats.t.ppf(0.975, df)
    n = 6.0
    centre = (0.25 + t * t / (2 * n)) / (1 + t * t / n)
    half = t * math.sqrt(0.25 * 0.75 / n + t * t / (4 * n * n)) / (1 + t * t / n)
    assert e.low == pytest.approx(centre - half, rel=1e-9)
    assert e.high == pytest.approx(centre + half, rel=1e-9)
    assert (e.checks, e.violations) == (3, 1)


def test_equal_probabilities_reduce_to_the_sample_proportion():
    obs = [Observation("a", 0.1, i < 3) for i in range(20)]
    e = estimates.hajek(obs)
    assert e.rate == pytest.approx(3 / 20)
    # v = (1-π)·p(1-p)/n, so n_eff = n/(1-π)
    assert e.effective_size == pytest.approx(20 / 0.9)


def test_no_violation_found_gives_zero_with_a_kish_upper_bound():
    obs = [Observation("a", 0.5, False), Observation("a", 0.25, False)]
    e = estimates.hajek(obs)
    kish = 6.0**2 / (2.0**2 + 4.0**2)  # 1.8
    z2 = estimates.Z95**2
    assert (e.rate, e.low) == (0.0, 0.0)
    assert e.effective_size == pytest.approx(kish)
    assert e.high == pytest.approx(z2 / (kish + z2))


def test_by_stratum_and_overall():
    obs = [Observation("b", 0.5, True), Observation("a", 0.5, False), Observation("a", 0.5, True)]
    per, overall = estimates.by_stratum(obs)
    assert list(per) == ["a", "b"]
    assert per["a"].rate == pytest.approx(0.5)
    assert per["b"].rate == pytest.approx(1.0)
    assert overall.rate == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("df", "p"), [(0.8, 0.975), (1, 0.975), (2.5, 0.975), (7, 0.9), (40, 0.975), (1e6, 0.975)]
)
def test_the_t_quantile_matches_scipy(df, p):
    assert estimates.t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8)


def test_hit_rate_is_a_plain_share():
    assert estimates.hit_rate([True, False, False, True]).percent == 50.0
    assert estimates.hit_rate([]).percent is None


# --- Simulation: many phases over a population with a known truth ------------------------------------

N = 5000
BUDGET = 600  # 12% of the listings, as the real platform checked 100,000–150,000 a phase
FLOOR = 0.01
REPETITIONS = 1000


def population(rate: float, seed: int):
    """5,000 listings in four strata; a quarter carry risk, and violations are drawn with probability
    rising with risk (as (1 + risk)²), exactly ``rate`` of the listings violating."""
    g = np.random.default_rng(seed)
    strata = g.choice(4, size=N, p=[0.5, 0.3, 0.14, 0.06])
    risk = np.where(g.random(N) < 0.25, g.exponential(1.5, N), 0.0)
    weights = (1 + risk) ** 2
    violating = np.zeros(N, dtype=bool)
    violating[g.choice(N, size=round(rate * N), replace=False, p=weights / weights.sum())] = True
    units = [sampling.Unit(i, f"s{strata[i]}", float(risk[i])) for i in range(N)]
    return units, violating


@pytest.mark.parametrize(("rate", "seed"), [(0.01, 1), (0.15, 2)])
def test_the_interval_covers_the_true_rate_93_to_97_percent_of_the_time(rate, seed):
    units, violating = population(rate, seed)
    truth = violating.mean()
    assert truth == rate
    probabilities = sampling.design(units, BUDGET, FLOOR)
    stratum = {u.key: u.stratum for u in units}
    assert min(probabilities.values()) >= FLOOR
    assert sum(probabilities.values()) == pytest.approx(BUDGET)
    rng = random.Random(seed)
    covered, rates = 0, []
    for _ in range(REPETITIONS):
        drawn = sampling.poisson_draw(probabilities, probabilities, rng)
        e = estimates.hajek(Observation(stratum[k], probabilities[k], bool(violating[k])) for k in drawn)
        covered += e.low <= truth <= e.high
        rates.append(e.rate)
    assert 0.93 <= covered / REPETITIONS <= 0.97
    # The estimator is (nearly) unbiased: its mean over the phases is within 3% of the truth.
    assert abs(np.mean(rates) - truth) < 0.03 * truth


def test_a_wald_interval_would_undercover_at_a_low_rate():
    """Why the interval is not p̂ ± 1.96·√v: at 1% it misses the truth far more than 5% of the time."""
    units, violating = population(0.01, 1)
    probabilities = sampling.design(units, BUDGET, FLOOR)
    rng, covered = random.Random(1), 0
    for _ in range(300):
        drawn = sampling.poisson_draw(probabilities, probabilities, rng)
        e = estimates.hajek(Observation("s", probabilities[k], bool(violating[k])) for k in drawn)
        half = 1.96 * math.sqrt(e.rate * (1 - e.rate) / e.effective_size) if e.rate else 0.0
        covered += e.rate - half <= 0.01 <= e.rate + half
    assert covered / 300 < 0.92
