"""Reads of check phases: the sampling frame with every listing's risk factors (read in bulk, a constant
number of queries whatever the frame's size), the phase pages (ops and public) and the Excel rows."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import OpsTeam
from catalog.models import Category, Product, ProductEvent, ProductStatus
from catalog.workflow import ProductAction
from inspections import estimates
from inspections.models import (
    Appeal,
    CheckOutcome,
    CheckPhase,
    CheckState,
    ListingStanding,
    PhaseState,
    Report,
    ReportState,
    Sanction,
    SpotCheck,
)
from pricing.models import FLAGGED, PriceVerdict
from suppliers.models import Qualification, QualificationStatus

EXPIRY_WINDOW_DAYS = 60

# A check that found a violation: closed with an outcome other than a pass, not overturned on appeal.
VIOLATION = (
    Q(state=CheckState.CLOSED)
    & ~Q(outcome__in=["", CheckOutcome.PASS])
    & ~Q(appeal__decision=Appeal.Decision.OVERTURNED)
)


# --- The frame ----------------------------------------------------------------------------------------


@dataclass
class FrameListing:
    product_id: int
    supplier_id: int
    category_id: int
    stratum: str
    factors: dict = field(default_factory=dict)


def target_category_ids(phase: CheckPhase) -> list[int] | None:
    """The phase's categories and all their descendants; None for the whole catalogue."""
    chosen = set(phase.categories.values_list("id", flat=True))
    if not chosen:
        return None
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = set(), list(chosen)
    while stack:
        pk = stack.pop()
        if pk not in out:
            out.add(pk)
            stack.extend(children.get(pk, ()))
    return sorted(out)


def frame_products(phase: CheckPhase) -> QuerySet:
    """The live listings (on sale, frozen ones too) in the phase's target categories."""
    products = Product.objects.filter(status=ProductStatus.ON_SALE)
    ids = target_category_ids(phase)
    return products if ids is None else products.filter(category_id__in=ids)


def frame(phase: CheckPhase) -> list[FrameListing]:
    """Every listing of the frame (by id) with its risk factors (``inspections.sampling.risk_score``)."""
    products = frame_products(phase)
    suppliers = products.values("supplier_id")
    rows = {
        row["id"]: FrameListing(
            row["id"],
            row["supplier_id"],
            row["category_id"],
            row["category__slug"],
            {
                "credit_score": row["supplier__credit_score"],
                "initial_credit": settings.SUPPLIER_INITIAL_CREDIT,
            },
        )
        for row in products.order_by("id").values(
            "id", "supplier_id", "category_id", "category__slug", "supplier__credit_score"
        )
    }
    for pk, outcome, codes in ListingStanding.objects.filter(product__in=products.values("id")).values_list(
        "product_id", "outcome", "codes"
    ):
        rows[pk].factors.update(standing=outcome, finding_codes=list(codes or []))
    _price_factors(rows, products)
    violations = _supplier_violations(suppliers)
    reports = _confirmed_reports(suppliers)
    soon = timezone.localdate() + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
    expiring = Counter(
        Qualification.objects.filter(
            supplier_id__in=suppliers, status=QualificationStatus.CURRENT, valid_until__lte=soon
        ).values_list("supplier_id", flat=True)
    )
    for row in rows.values():
        row.factors["violations"] = violations.get(row.supplier_id, 0)
        row.factors["reports"] = reports[0].get(row.product_id, 0) + reports[1].get(row.supplier_id, 0)
        row.factors["expiring_qualifications"] = expiring.get(row.supplier_id, 0)
    return list(rows.values())


def _price_factors(rows: dict[int, FrameListing], products: QuerySet) -> None:
    """The worst flagged price verdict among each listing's SKUs."""
    verdicts = PriceVerdict.objects.filter(sku__product__in=products.values("id"), verdict__in=FLAGGED)
    for pk, verdict, severity in verdicts.values_list("sku__product_id", "verdict", "severity"):
        factors = rows[pk].factors
        if severity >= factors.get("price_severity", -1.0):
            factors.update(price_verdict=verdict, price_severity=round(float(severity), 4))


def _supplier_violations(suppliers: QuerySet) -> dict[int, int]:
    """Past confirmed violations per supplier: checks closed with a finding (not overturned) and the
    checks behind standing sanctions, each check counted once."""
    seen: dict[int, set[int]] = {}
    for supplier_id, check_id in SpotCheck.objects.filter(VIOLATION, supplier_id__in=suppliers).values_list(
        "supplier_id", "id"
    ):
        seen.setdefault(supplier_id, set()).add(check_id)
    for supplier_id, check_id in Sanction.objects.filter(
        supplier_id__in=suppliers, revoked_at__isnull=True
    ).values_list("supplier_id", "check_ref_id"):
        seen.setdefault(supplier_id, set()).add(check_id)
    return {k: len(v) for k, v in seen.items()}


def _confirmed_reports(suppliers: QuerySet) -> tuple[Counter, Counter]:
    """Confirmed reports: (per listing, per supplier for those naming no listing)."""
    by_product, by_supplier = Counter(), Counter()
    for product_id, supplier_id in Report.objects.filter(
        supplier_id__in=suppliers, state=ReportState.CONFIRMED
    ).values_list("product_id", "supplier_id"):
        if product_id is None:
            by_supplier[supplier_id] += 1
        else:
            by_product[product_id] += 1
    return by_product, by_supplier


def eligible_reviewers() -> list[int]:
    """Active staff of the internal-control team."""
    return list(
        User.objects.filter(
            is_active=True, is_staff=True, role=Role.OPS, groups__name=OpsTeam.INTERNAL_CONTROL
        )
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )


def approvers(products: QuerySet) -> dict[int, set[int]]:
    """Who approved each of these listings (every approval in its history)."""
    out: dict[int, set[int]] = {}
    for product_id, actor_id in ProductEvent.objects.filter(
        product__in=products.values("id"), action=ProductAction.APPROVE, actor__isnull=False
    ).values_list("product_id", "actor_id"):
        out.setdefault(product_id, set()).add(actor_id)
    return out


def open_load(reviewer_ids: list[int]) -> dict[int, int]:
    """Each reviewer's checks not yet closed."""
    return dict(
        SpotCheck.objects.filter(reviewer_id__in=reviewer_ids)
        .exclude(state=CheckState.CLOSED)
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n")
    )


# --- The pages ----------------------------------------------------------------------------------------


def phases() -> QuerySet:
    """Every phase with its counts of checks (sampled, done), newest first."""
    return CheckPhase.objects.annotate(
        sampled=Count("checks", filter=Q(checks__kind=SpotCheck.Kind.SAMPLE)),
        done=Count("checks", filter=Q(checks__kind=SpotCheck.Kind.SAMPLE, checks__state=CheckState.CLOSED)),
    ).order_by("-starts_on", "-id")


def closed_phases() -> QuerySet:
    return phases().filter(state=PhaseState.CLOSED).order_by("-closed_at", "-id")


def phase_of(pk: int, *, closed_only: bool = False) -> CheckPhase | None:
    queryset = CheckPhase.objects.filter(pk=pk)
    if closed_only:
        queryset = queryset.filter(state=PhaseState.CLOSED)
    return queryset.prefetch_related("categories").first()


@dataclass
class StratumRow:
    stratum: str
    category: str
    sampled: int = 0
    done: int = 0
    probability_sum: float = 0.0
    estimate: estimates.Estimate | None = None

    @property
    def open(self) -> int:
        return self.sampled - self.done

    @property
    def mean_probability(self) -> float | None:
        return self.probability_sum / self.sampled if self.sampled else None


@dataclass
class PhaseFigures:
    """What a phase page shows: the sample by stratum, progress, estimates and findings."""

    strata: list[StratumRow]
    overall: estimates.Estimate
    sampled: int
    done: int
    unassigned: int
    findings: list[tuple[str, int]]
    targeted: estimates.HitRate


def _sampled_rows(phase: CheckPhase) -> list[dict]:
    return list(
        SpotCheck.objects.filter(phase=phase, kind=SpotCheck.Kind.SAMPLE)
        .annotate(violation=Count("id", filter=VIOLATION))
        .order_by("stratum", "id")
        .values(
            "stratum",
            "category__name",
            "inclusion_probability",
            "state",
            "reviewer_id",
            "finding_codes",
            "violation",
        )
    )


def targeted_checks(phase: CheckPhase) -> QuerySet:
    """Targeted checks of the phase: those filed under it, and those filed under no phase during it."""
    during = Q(
        phase__isnull=True,
        created_at__date__gte=phase.starts_on,
        created_at__date__lte=phase.ends_on,
    )
    return SpotCheck.objects.filter(Q(phase=phase) | during, kind=SpotCheck.Kind.TARGETED)


def figures(phase: CheckPhase) -> PhaseFigures:
    """The phase's figures in three queries: its sampled checks, and its targeted checks' hits."""
    rows = _sampled_rows(phase)
    strata: dict[str, StratumRow] = {}
    observations = []
    findings: Counter = Counter()
    for row in rows:
        stratum = strata.setdefault(row["stratum"], StratumRow(row["stratum"], row["category__name"]))
        stratum.sampled += 1
        stratum.probability_sum += row["inclusion_probability"]
        if row["state"] != CheckState.CLOSED:
            continue
        stratum.done += 1
        violation = bool(row["violation"])
        observations.append(estimates.Observation(row["stratum"], row["inclusion_probability"], violation))
        if violation:
            findings.update(row["finding_codes"] or [])
    per_stratum, overall = estimates.by_stratum(observations)
    for key, estimate in per_stratum.items():
        strata[key].estimate = estimate
    hits = targeted_checks(phase).annotate(hit=Count("id", filter=VIOLATION)).values_list("state", "hit")
    return PhaseFigures(
        strata=[strata[k] for k in sorted(strata)],
        overall=overall,
        sampled=len(rows),
        done=sum(s.done for s in strata.values()),
        unassigned=sum(1 for r in rows if r["reviewer_id"] is None),
        findings=sorted(findings.items(), key=lambda item: (-item[1], item[0])),
        targeted=estimates.hit_rate(bool(hit) for state, hit in hits if state == CheckState.CLOSED),
    )


UNASSIGNED_SHOWN = 50


def unassigned_checks(phase: CheckPhase) -> list[SpotCheck]:
    """Sampled checks no reviewer could be drawn for (at most ``UNASSIGNED_SHOWN``)."""
    return list(
        SpotCheck.objects.filter(phase=phase, kind=SpotCheck.Kind.SAMPLE, reviewer__isnull=True)
        .select_related("product", "supplier", "category")
        .order_by("id")[:UNASSIGNED_SHOWN]
    )


def export_rows(phase: CheckPhase) -> QuerySet:
    """One row per check of the phase (sampled first), for the Excel export."""
    return (
        SpotCheck.objects.filter(phase=phase)
        .select_related("product", "supplier", "category", "reviewer")
        .order_by("kind", "stratum", "id")
    )


def final_sanctions(phase: CheckPhase) -> list[Sanction]:
    """Sanctions imposed for the phase's checks and not revoked; suppliers are named (by the page) only
    where the sanction is final."""
    return list(
        Sanction.objects.filter(check_ref__phase=phase, revoked_at__isnull=True)
        .select_related("supplier", "check_ref__category")
        .order_by("-created_at", "-id")
    )
