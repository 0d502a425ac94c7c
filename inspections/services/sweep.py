"""The nightly sweep (滚动核查) and on-demand checks: every check item over the live listings, in batches.

``sweep_start`` cuts the listings on sale into batches by id range and queues one task per batch after
commit. ``sweep_run_batch`` checks one batch in one transaction: its writes are keyed by (run, listing)
and its counters are recomputed, so a redelivered or re-run batch leaves the same rows. A listing with
a blocking finding is frozen (hidden from buyers, the reason shown to its supplier); a listing the sweep
froze comes back when a later sweep finds it fixed. The sweep never lifts a freeze it did not make.

Freezes and unfreezes are recorded in the audit log (``core.audit``, kind state change, actor: the
platform) with the run, the batch and the finding codes.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Category, Product, ProductStatus
from catalog.selectors import leaf_ids
from catalog.services import listings_freeze, listings_unfreeze
from core.audit import Kind, audit
from core.background import send_after_commit
from inspections.facts import gather_facts, listing_queryset
from inspections.items import Finding, outcome_of, render, run_items
from inspections.models import ListingResult, ListingStanding, Outcome, Severity, SweepBatch, SweepRun
from suppliers.models import Supplier

logger = logging.getLogger(__name__)

MADE_UP_BY = "the nightly sweep (inspections.tasks.nightly_sweep) checks every listing again"
SCOPE_KINDS = ("products", "supplier", "category")


# --- Starting a run ------------------------------------------------------------------------------------


def _category_ids(category_id: int) -> list[int]:
    return sorted({category_id, *leaf_ids(under=category_id)})


def live_listings(scope: dict | None = None) -> QuerySet[Product]:
    """The listings a run checks: on sale (frozen ones included: that is how they come back), within
    the scope when one is given."""
    listings = Product.objects.filter(status=ProductStatus.ON_SALE)
    scope = scope or {}
    if "products" in scope:
        listings = listings.filter(pk__in=scope["products"])
    if "supplier" in scope:
        listings = listings.filter(supplier_id=scope["supplier"])
    if "category" in scope:
        listings = listings.filter(category_id__in=_category_ids(scope["category"]))
    return listings


def _clean_scope(scope: dict | None) -> dict:
    if not scope:
        return {}
    if len(scope) != 1 or next(iter(scope)) not in SCOPE_KINDS:
        raise ValidationError({"scope": _("Check one listing, one supplier or one category.")})
    kind, value = next(iter(scope.items()))
    try:
        if kind == "products":
            ids = sorted({int(v) for v in value})
            return {"products": ids}
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"scope": _("Check one listing, one supplier or one category.")}) from exc
    model = Supplier if kind == "supplier" else Category
    if not model.objects.filter(pk=value).exists():
        raise ValidationError({kind: _("No such %(what)s.") % {"what": model._meta.verbose_name}})
    return {kind: value}


def _boundaries(listings: QuerySet[Product], size: int) -> list[tuple[int, int, int]]:
    """(first id, last id, count) per batch: the ids read in order by keyset, never with OFFSET."""
    ordered = listings.order_by("pk").values_list("pk", flat=True)
    ranges, last = [], 0
    while True:
        ids = list(ordered.filter(pk__gt=last)[:size])
        if not ids:
            return ranges
        ranges.append((ids[0], ids[-1], len(ids)))
        last = ids[-1]


def sweep_start(
    *, trigger: str, scope: dict | None = None, by: User | None = None, queue: bool = True
) -> SweepRun:
    """Start a run over the live listings (or, on demand, those of one listing, supplier or category):
    its batches are created now and queued once this commits. With ``queue=False`` nothing is queued:
    the caller runs each batch itself with ``sweep_run_batch`` (seed_demo does, in-process)."""
    from inspections import tasks  # the tasks call these services: import at call time

    scope = _clean_scope(scope)
    if trigger not in SweepRun.Trigger.values:
        raise ValidationError({"trigger": _("Unknown trigger.")})
    if trigger == SweepRun.Trigger.ON_DEMAND and not scope:
        raise ValidationError({"scope": _("Check one listing, one supplier or one category.")})
    with transaction.atomic():
        ranges = _boundaries(live_listings(scope), settings.INSPECTIONS["SWEEP_BATCH_SIZE"])
        if scope and not ranges:
            raise ValidationError({"scope": _("Nothing on sale to check there.")})
        now = timezone.now()
        run = SweepRun.objects.create(
            trigger=trigger,
            scope=scope,
            requested_by=by,
            total=sum(n for _first, _last, n in ranges),
            batch_count=len(ranges),
            started_at=now,
            state=SweepRun.State.RUNNING if ranges else SweepRun.State.FINISHED,
            finished_at=None if ranges else now,
        )
        SweepBatch.objects.bulk_create(
            SweepBatch(run=run, number=i, first_id=first, last_id=last)
            for i, (first, last, _n) in enumerate(ranges, start=1)
        )
        if queue:
            for batch in SweepBatch.objects.filter(run=run).order_by("number"):
                send_after_commit(
                    tasks.sweep_batch,
                    batch.pk,
                    what=f"sweep run {run.pk} batch {batch.number}",
                    made_up_by=MADE_UP_BY,
                )
    return run


# --- Checking a batch ----------------------------------------------------------------------------------


@dataclass
class _Checked:
    product: Product
    findings: list[Finding]
    outcome: str

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.BLOCKING]


def _freeze_reason(findings: list[Finding]) -> str:
    with translation.override("zh-hans"):
        return "\n".join(dict.fromkeys(render(f) for f in findings))


def _record(product_id: int, action: str, run: SweepRun, batch: SweepBatch, codes: list[str]) -> None:
    audit(
        kind=Kind.STATE_CHANGE,
        user=None,
        object_type="catalog.product",
        object_id=product_id,
        action=action,
        details={"run": run.pk, "batch": batch.number, "codes": ",".join(codes)},
    )


def _freezes(
    checked: list[_Checked], standings: dict[int, ListingStanding], run, batch
) -> tuple[set, int, int]:
    """Freeze what blocks and is not frozen; lift the sweep's own freezes of what no longer blocks.
    Returns (ids frozen by the sweep after this batch, how many frozen now, how many unfrozen now)."""
    to_freeze: dict[str, list[int]] = defaultdict(list)
    frozen_by_sweep, unfreeze = set(), []
    for c in checked:
        pk = c.product.pk
        was_sweeps = pk in standings and standings[pk].frozen_by_sweep
        if c.blocking:
            if c.product.frozen_at is None:
                to_freeze[_freeze_reason(c.blocking)].append(pk)
                frozen_by_sweep.add(pk)
                _record(pk, "sweep_freeze", run, batch, [f.code for f in c.blocking])
            elif was_sweeps:
                frozen_by_sweep.add(pk)
        elif was_sweeps and c.product.frozen_at is not None:
            unfreeze.append(pk)
            _record(pk, "sweep_unfreeze", run, batch, [])
    for reason, ids in to_freeze.items():
        listings_freeze(product_ids=ids, reason=reason)
    if unfreeze:
        listings_unfreeze(product_ids=unfreeze)
    return frozen_by_sweep, sum(len(ids) for ids in to_freeze.values()), len(unfreeze)


def _write_results(run: SweepRun, checked: list[_Checked], now, frozen_by_sweep: set[int]) -> None:
    results = ListingResult.objects.bulk_create(
        [
            ListingResult(
                run=run,
                product=c.product,
                outcome=c.outcome,
                findings=[f.as_json() for f in c.findings],
                checked_at=now,
            )
            for c in checked
        ],
        update_conflicts=True,
        unique_fields=["run", "product"],
        update_fields=["outcome", "findings", "checked_at"],
    )
    result_ids = {r.product_id: r.pk for r in results}  # the upsert returns the ids (PostgreSQL, SQLite)
    ListingStanding.objects.bulk_create(
        [
            ListingStanding(
                product=c.product,
                result_id=result_ids[c.product.pk],
                outcome=c.outcome,
                codes=sorted({f.code for f in c.findings}),
                checked_at=now,
                frozen_by_sweep=c.product.pk in frozen_by_sweep,
            )
            for c in checked
        ],
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=["result", "outcome", "codes", "checked_at", "frozen_by_sweep"],
    )


def _totals(checked: list[_Checked]) -> dict:
    codes, categories = Counter(), Counter()
    for c in checked:
        if c.findings:
            codes.update({f.code for f in c.findings})
            categories[str(c.product.category_id)] += 1
    return {"codes": dict(sorted(codes.items())), "categories": dict(sorted(categories.items()))}


def _check_batch(batch: SweepBatch) -> None:
    """Call inside the transaction holding the batch's lock."""
    run = batch.run
    ids = live_listings(run.scope).filter(pk__gte=batch.first_id, pk__lte=batch.last_id).values("pk")
    facts = gather_facts(listing_queryset().filter(pk__in=ids))
    checked = []
    for f in facts:
        findings = run_items(f)
        checked.append(_Checked(f.product, findings, outcome_of(findings)))
    pks = [c.product.pk for c in checked]
    standings = {s.product_id: s for s in ListingStanding.objects.filter(product_id__in=pks)}
    frozen_by_sweep, frozen, unfrozen = _freezes(checked, standings, run, batch)
    now = timezone.now()
    _write_results(run, checked, now, frozen_by_sweep)
    batch.state = SweepBatch.State.DONE
    batch.checked = len(checked)
    batch.with_findings = sum(1 for c in checked if c.findings)
    batch.blocking = sum(1 for c in checked if c.outcome == Outcome.BLOCKING)
    batch.frozen = frozen
    batch.unfrozen = unfrozen
    batch.totals = _totals(checked)
    batch.error = ""
    batch.attempts += 1
    batch.finished_at = now
    batch.save()


def _finish_run(run_id: int) -> bool:
    """The run is finished once no batch waits; a conditional update, so only one worker finishes it."""
    waiting = SweepBatch.objects.filter(run_id=OuterRef("pk"), state=SweepBatch.State.PENDING)
    return bool(
        SweepRun.objects.filter(pk=run_id, state=SweepRun.State.RUNNING)
        .filter(~Exists(waiting))
        .update(state=SweepRun.State.FINISHED, finished_at=timezone.now())
    )


def sweep_run_batch(*, batch_id: int) -> SweepBatch | None:
    """Check one batch (the task's body). A batch already done returns at once; a failing one is
    marked FAILED with its error (in its own transaction) and the error re-raised."""
    try:
        with transaction.atomic():
            # Lock the batch row only: FOR UPDATE over the join would lock the run's row too and make every
            # worker wait for the others' batches.
            batch = (
                SweepBatch.objects.select_for_update(of=("self",))
                .select_related("run")
                .filter(pk=batch_id)
                .first()
            )
            if batch is None:
                return None
            if batch.state == SweepBatch.State.DONE:
                return batch
            _check_batch(batch)
    except Exception as exc:
        with transaction.atomic():
            SweepBatch.objects.filter(pk=batch_id).exclude(state=SweepBatch.State.DONE).update(
                state=SweepBatch.State.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                attempts=F("attempts") + 1,
                finished_at=timezone.now(),
            )
        logger.exception("Sweep batch %s failed", batch_id)
        _finish_run(SweepBatch.objects.filter(pk=batch_id).values_list("run_id", flat=True).first())
        raise
    _finish_run(batch.run_id)
    return batch


def check_now(*, kind: str, pk: int, by: User) -> SweepRun:
    """An on-demand check of one listing, one supplier or one category (and its descendants)."""
    if not by.has_perm("inspections.change_spotcheck"):
        raise PermissionDenied
    scope = {"products": [pk]} if kind == "product" else {kind: pk}
    return sweep_start(trigger=SweepRun.Trigger.ON_DEMAND, scope=scope, by=by)
