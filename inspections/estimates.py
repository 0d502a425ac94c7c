"""Honest figures (一公开): the estimated violation rate of a phase, per stratum and overall, from its
sampled checks and their inclusion probabilities. Pure functions, no ORM.

The estimator matches the draw (``inspections.sampling``: Poisson sampling, listing i drawn independently
with probability π_i):

- **Rate** — the Hájek ratio p̂ = Σ(y_i/π_i) / Σ(1/π_i) over the checks done (y_i = 1 for a violation).
- **Variance** — the linearised variance of that ratio under Poisson sampling,
  v = Σ (1 − π_i) · ((y_i − p̂)/π_i)² / (Σ 1/π_i)².
- **Interval** — a Wilson score interval at 95% on the effective sample size n_eff = p̂(1 − p̂) / v
  (the design effect folded into n, as Korn & Graubard do; it may exceed the checks done, since drawing
  the risky listings more often makes the rate more precise than simple random sampling would), with the
  normal quantile replaced by Student's t on Satterthwaite's degrees of freedom of v,
  df = (Σa_i)² / Σa_i² where a_i is listing i's term of v. At a low rate v rests on the few violations
  found, so df is small and the interval widens as it must; at moderate rates t ≈ z. When every check
  agrees (p̂ = 0 or 1, so v = 0), n_eff is Kish's (Σw)² / Σw² with w = 1/π, and the quantile is z.
  A Wald interval p̂ ± 1.96·√v undercovers badly at low rates, and so does Wilson with z
  (about 90% at 1% in simulation); tests/inspections/test_estimates.py checks this interval's coverage
  on simulated phases with a known truth.

Checks not yet done are left out: the rate is that of the listings checked so far, weighted as drawn.
The raw hit rate of targeted checks (``hit_rate``) is a plain proportion and estimates nothing: those
listings were chosen because they looked bad.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Observation:
    """One sampled check that is done: its stratum, its inclusion probability, whether it is a violation."""

    stratum: str
    probability: float
    violation: bool


@dataclass(frozen=True)
class Estimate:
    checks: int
    violations: int
    rate: float | None  # None when no check is done
    low: float | None
    high: float | None
    effective_size: float | None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100 * self.rate

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else 100 * self.high


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``p`` observed on ``n`` (possibly fractional) units."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def t_quantile(p: float, df: float) -> float:
    """Student's t quantile for p in (0.5, 1) and df > 0 (not necessarily whole), by bisection on
    P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2."""
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while incomplete_beta(df / 2, 0.5, df / (df + high * high)) / 2 > tail:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        if incomplete_beta(df / 2, 0.5, df / (df + mid * mid)) / 2 > tail:
            low = mid
        else:
            high = mid
        if high - low < 1e-10:
            break
    return (low + high) / 2


def hajek(observations: Iterable[Observation]) -> Estimate:
    """The rate, its 95% interval and the effective sample size (see the module's docstring)."""
    obs = list(observations)
    n = len(obs)
    violations = sum(1 for o in obs if o.violation)
    if n == 0:
        return Estimate(0, 0, None, None, None, None)
    weights = [1.0 / o.probability for o in obs]
    total = sum(weights)
    rate = sum(w for w, o in zip(weights, obs, strict=True) if o.violation) / total
    terms = [
        (1.0 - o.probability) * (w * ((1.0 if o.violation else 0.0) - rate)) ** 2
        for w, o in zip(weights, obs, strict=True)
    ]
    variance = sum(terms) / total**2
    if variance > 0 and 0 < rate < 1:
        effective = rate * (1 - rate) / variance
        df = sum(terms) ** 2 / sum(a * a for a in terms)
        low, high = wilson(rate, effective, t_quantile(0.975, df))
    else:
        effective = total**2 / sum(w * w for w in weights)
        low, high = wilson(rate, effective)
    return Estimate(n, violations, rate, low, high, effective)


def by_stratum(observations: Iterable[Observation]) -> tuple[dict[str, Estimate], Estimate]:
    """The estimate of each stratum (in stratum order) and of the whole phase."""
    obs = list(observations)
    groups: dict[str, list[Observation]] = {}
    for o in obs:
        groups.setdefault(o.stratum, []).append(o)
    return {k: hajek(groups[k]) for k in sorted(groups)}, hajek(obs)


@dataclass(frozen=True)
class HitRate:
    checks: int
    hits: int

    @property
    def percent(self) -> float | None:
        return None if self.checks == 0 else 100 * self.hits / self.checks


def hit_rate(violations: Iterable[bool]) -> HitRate:
    """The share of targeted checks that found a violation: a count, not an estimate of anything."""
    values = list(violations)
    return HitRate(len(values), sum(1 for v in values if v))
