"""Reads of the nightly sweep: a run's progress, the totals by item and category and their trend, and a
listing's current standing with its findings (for the supplier's portal and ops)."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from catalog.models import Category, Product
from inspections.items import FINDING_CODES, Finding, Group, describe, fix_for, item_for, render
from inspections.models import ListingStanding, SweepBatch, SweepRun

TREND_RUNS = 14

_DONE = Q(batches__state=SweepBatch.State.DONE)
PROGRESS = {
    "batches_done": Count("batches", filter=_DONE),
    "batches_failed": Count("batches", filter=Q(batches__state=SweepBatch.State.FAILED)),
    "checked": Coalesce(Sum("batches__checked", filter=_DONE), 0),
    "with_findings": Coalesce(Sum("batches__with_findings", filter=_DONE), 0),
    "blocking": Coalesce(Sum("batches__blocking", filter=_DONE), 0),
    "frozen": Coalesce(Sum("batches__frozen", filter=_DONE), 0),
    "unfrozen": Coalesce(Sum("batches__unfrozen", filter=_DONE), 0),
}


def runs_with_progress() -> QuerySet[SweepRun]:
    """Runs, newest first, each with its progress summed from its batches (one query)."""
    return SweepRun.objects.select_related("requested_by").annotate(**PROGRESS).order_by("-started_at", "-id")


def run_progress(*, run_id: int) -> SweepRun | None:
    """One run with done (``checked``) / ``total`` / ``with_findings`` / ``blocking`` /
    ``batches_failed`` (one query)."""
    return runs_with_progress().filter(pk=run_id).first()


def failed_batches(*, run_id: int) -> QuerySet[SweepBatch]:
    return SweepBatch.objects.filter(run_id=run_id, state=SweepBatch.State.FAILED).order_by("number")


@dataclass
class TrendRow:
    key: str
    label: str
    counts: list[int]

    @property
    def latest(self) -> int:
        return self.counts[-1] if self.counts else 0


@dataclass
class Trend:
    """Listings with findings per finding code and per category over the last finished nightly runs,
    oldest first."""

    runs: list[SweepRun] = field(default_factory=list)
    by_item: list[TrendRow] = field(default_factory=list)
    by_category: list[TrendRow] = field(default_factory=list)


def _label(code: str) -> str:
    """A finding code in words (its message with the evidence left out), after its group."""
    item = item_for(code)
    return f"{Group(item.group).label} · {describe(code)}" if item else code


def nightly_trend(*, runs: int = TREND_RUNS) -> Trend:
    """Three queries: the runs, their batches' totals, the category names."""
    recent = list(
        SweepRun.objects.filter(trigger=SweepRun.Trigger.NIGHTLY, state=SweepRun.State.FINISHED).order_by(
            "-started_at", "-id"
        )[:runs]
    )[::-1]
    if not recent:
        return Trend()
    position = {run.pk: i for i, run in enumerate(recent)}
    codes: dict[str, list[int]] = {}
    categories: dict[str, list[int]] = {}
    for run_id, totals in SweepBatch.objects.filter(run_id__in=position).values_list("run_id", "totals"):
        for target, counts in ((codes, totals.get("codes", {})), (categories, totals.get("categories", {}))):
            for key, n in counts.items():
                target.setdefault(key, [0] * len(recent))[position[run_id]] += n
    names = dict(Category.objects.filter(pk__in=[int(k) for k in categories]).values_list("pk", "name"))
    order = {code: i for i, code in enumerate(FINDING_CODES)}
    by_item = [
        TrendRow(code, _label(code), codes[code])
        for code in sorted(codes, key=lambda c: (order.get(c, 99), c))
    ]
    by_category = sorted(
        (TrendRow(key, names.get(int(key), key), counts) for key, counts in categories.items()),
        key=lambda row: (-row.latest, row.label),
    )
    return Trend(runs=recent, by_item=by_item, by_category=by_category)


# --- A listing's standing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFinding:
    code: str
    severity: str
    message: str
    fix: str


def _findings_of(standing: ListingStanding | None) -> list[Finding]:
    if standing is None or standing.result is None:
        return []
    return [Finding.from_json(f) for f in standing.result.findings]


def listing_standing(*, product: Product) -> tuple[ListingStanding | None, list[ShownFinding]]:
    """The listing's current standing and its findings in the active language (one query)."""
    standing = ListingStanding.objects.select_related("result").filter(product_id=product.pk).first()
    shown = [ShownFinding(f.code, f.severity, render(f), fix_for(f)) for f in _findings_of(standing)]
    return standing, shown


def listing_findings(product: Product) -> list[tuple[str, str, str]]:
    """(code, severity, message in the active language) of the listing's latest sweep result."""
    _standing, shown = listing_standing(product=product)
    return [(f.code, f.severity, f.message) for f in shown]


def standings_for(product_ids: Iterable[int]) -> dict[int, ListingStanding]:
    """The standings of a page's listings, by product id (one query)."""
    return {s.product_id: s for s in ListingStanding.objects.filter(product_id__in=list(product_ids))}
