"""The random draw of a check phase (双随机): pure functions, no ORM (the frame is read in
``inspections.selectors.phases``; ``inspections.services.phases.phase_open`` stores the result).

The design
----------
- **Strata.** A listing's leaf category is its stratum.
- **Allocation** (``allocate``). The budget is shared among strata in proportion to their size by the
  largest-remainder method (Hamilton), after giving every stratum 1 check when the budget covers one per
  stratum; no stratum gets more than its size, and what a small stratum cannot take goes to the others.
- **Inclusion probabilities** (``inclusion_probabilities``). Within a stratum of N listings with an
  allocation n, listing i gets π_i = clip(c · (1 + risk_i), floor, 1), where c is solved exactly so that
  Σπ_i = n (the usual iteration of capping at 1, here also holding at the floor). When the floor alone
  already asks for more (floor · N >= n), every listing gets the floor: the floor is a promise to the
  suppliers (every live listing can be drawn), and it wins over the budget.
- **The draw** (``poisson_draw``) is Poisson sampling: each listing is drawn independently with its π_i,
  by one ``random.Random(seed).random()`` per listing in the frame's order (by listing id). The sample size
  is therefore random, with expectation Σπ = the budget; the estimator (``inspections.estimates``) is the
  one for this design. The same seed and the same frame give the same sample.
- **Reviewers** (``assign_reviewers``), drawn with the same generator after the sample: for each drawn
  listing in turn, uniformly among the eligible reviewers with the lightest load (their open checks plus
  those given in this draw), never one who approved that listing.
"""

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# --- Risk --------------------------------------------------------------------------------------------

STANDING_WEIGHT = {"pass": 0.0, "minor": 0.5, "major": 1.5, "blocking": 3.0}
PRICE_WEIGHT = {"high": 0.5, "very_high": 1.0, "low": 1.0}
MAX_PRICE_SEVERITY = 2.0
CREDIT_POINTS_PER_UNIT = 10  # every 10 credit points lost below the initial score add 1
MAX_CREDIT = 2.0
MAX_HISTORY = 3.0
MAX_REPORTS = 3.0
EXPIRY_WEIGHT = 0.5


def risk_score(factors: Mapping) -> float:
    """A listing's risk (>= 0, 0 for a clean listing of a supplier with an untouched record):

    - the sweep's standing: minor 0.5, major 1.5, blocking 3;
    - the worst flagged price verdict among its SKUs: high 0.5, very high or suspiciously low 1, plus its
      severity (the log of the ratio that made it), at most 2;
    - the supplier's credit: +1 per 10 points below the initial score, at most 2;
    - the supplier's confirmed past violations: +1 each, at most 3;
    - confirmed reports about the listing or its supplier: +1 each, at most 3;
    - a qualification of the supplier expiring within 60 days (or expired): +0.5.

    ``factors`` holds the keys ``standing``, ``price_verdict``, ``price_severity``, ``credit_score``,
    ``initial_credit``, ``violations``, ``reports``, ``expiring_qualifications``; a missing one counts 0.
    """
    score = STANDING_WEIGHT.get(factors.get("standing") or "pass", 0.0)
    verdict = factors.get("price_verdict") or ""
    if verdict in PRICE_WEIGHT:
        severity = max(0.0, float(factors.get("price_severity") or 0.0))
        score += PRICE_WEIGHT[verdict] + min(severity, MAX_PRICE_SEVERITY)
    initial = factors.get("initial_credit")
    credit = factors.get("credit_score")
    if initial is not None and credit is not None and credit < initial:
        score += min(MAX_CREDIT, (initial - credit) / CREDIT_POINTS_PER_UNIT)
    score += min(MAX_HISTORY, float(factors.get("violations") or 0))
    score += min(MAX_REPORTS, float(factors.get("reports") or 0))
    if factors.get("expiring_qualifications"):
        score += EXPIRY_WEIGHT
    return score


# --- Allocation and inclusion probabilities ---------------------------------------------------------


def allocate(sizes: Mapping[str, int], budget: int) -> dict[str, int]:
    """The budget shared among strata (see the module's docstring). Strata are taken in key order
    where remainders tie, so the result does not depend on the mapping's order."""
    keys = sorted(k for k, size in sizes.items() if size > 0)
    alloc = dict.fromkeys(sizes, 0)
    budget = min(budget, sum(sizes[k] for k in keys))
    if budget <= 0:
        return alloc
    if budget >= len(keys):
        for k in keys:
            alloc[k] = 1
    while sum(alloc.values()) < budget:
        open_keys = [k for k in keys if alloc[k] < sizes[k]]
        left = budget - sum(alloc.values())
        total = sum(sizes[k] for k in open_keys)
        shares = {k: left * sizes[k] / total for k in open_keys}
        given = {k: min(sizes[k] - alloc[k], math.floor(shares[k])) for k in open_keys}
        if not any(given.values()):
            # Largest remainder: one more to each stratum with the largest share, until the budget is spent.
            order = sorted(open_keys, key=lambda k: (-(shares[k] - math.floor(shares[k])), k))
            for k in order[:left]:
                given[k] = 1
        for k, extra in given.items():
            alloc[k] += extra
    return alloc


def inclusion_probabilities(risks: Sequence[float], n: float, floor: float) -> list[float]:
    """π_i = clip(c · (1 + risk_i), floor, 1) with Σπ = n (see the module's docstring).

    c is found exactly: as c grows, listing i leaves the floor at c = floor / s_i and reaches 1 at
    c = 1 / s_i (s_i = 1 + risk_i); between those points Σπ is linear in c."""
    size = len(risks)
    if size == 0:
        return []
    if n >= size:
        return [1.0] * size
    if floor * size >= n:
        return [floor] * size
    weights = [1.0 + max(0.0, r) for r in risks]
    events = sorted(
        [(floor / s, 0, s) for s in weights] + [(1.0 / s, 1, s) for s in weights], key=lambda e: e[:2]
    )
    at_floor, at_one, middle = size, 0, 0.0
    scale = events[-1][0]
    for c, kind, s in events:
        if floor * at_floor + c * middle + at_one >= n:
            scale = (n - floor * at_floor - at_one) / middle
            break
        if kind == 0:
            at_floor, middle = at_floor - 1, middle + s
        else:
            at_one, middle = at_one + 1, middle - s
    return [min(1.0, max(floor, scale * s)) for s in weights]


# --- The draw -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One listing of the frame, as the draw sees it."""

    key: int  # the listing's id
    stratum: str
    risk: float


@dataclass(frozen=True)
class Drawn:
    key: int
    stratum: str
    probability: float


def design(units: Sequence[Unit], budget: int, floor: float) -> dict[int, float]:
    """Every frame listing's inclusion probability: strata allocated, then π within each."""
    strata: dict[str, list[Unit]] = {}
    for unit in units:
        strata.setdefault(unit.stratum, []).append(unit)
    alloc = allocate({k: len(v) for k, v in strata.items()}, budget)
    out: dict[int, float] = {}
    for key, members in strata.items():
        pis = inclusion_probabilities([u.risk for u in members], alloc[key], floor)
        out.update((u.key, p) for u, p in zip(members, pis, strict=True))
    return out


def poisson_draw(keys: Iterable[int], probabilities: Mapping[int, float], rng: random.Random) -> list[int]:
    """Poisson sampling: one uniform draw per listing, in ascending key order; drawn when below its π."""
    return [key for key in sorted(keys) if rng.random() < probabilities[key]]


def draw(units: Sequence[Unit], budget: int, floor: float, rng: random.Random) -> list[Drawn]:
    """The sample: the design's probabilities, then one Poisson draw (see the module's docstring)."""
    probabilities = design(units, budget, floor)
    by_key = {u.key: u for u in units}
    return [Drawn(k, by_key[k].stratum, probabilities[k]) for k in poisson_draw(by_key, probabilities, rng)]


def assign_reviewers(
    listings: Sequence[int],
    reviewers: Sequence[int],
    *,
    excluded: Mapping[int, Iterable[int]],
    load: Mapping[int, int],
    rng: random.Random,
) -> dict[int, int | None]:
    """A reviewer for each listing, in the given order: uniformly among the eligible ones (not in
    ``excluded[listing]``, e.g. its approvers) with the lightest load; None when nobody is eligible."""
    current = {r: load.get(r, 0) for r in sorted(reviewers)}
    out: dict[int, int | None] = {}
    for listing in listings:
        banned = set(excluded.get(listing, ()))
        eligible = [r for r in current if r not in banned]
        if not eligible:
            out[listing] = None
            continue
        lightest = min(current[r] for r in eligible)
        chosen = rng.choice([r for r in eligible if current[r] == lightest])
        current[chosen] += 1
        out[listing] = chosen
    return out
