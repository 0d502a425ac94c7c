"""The nightly sweep: batches by id range, results per (run, listing), freezing and unfreezing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry
from catalog.models import Category, Product, TestReport
from catalog.services import listings_freeze
from inspections.facts import gather_facts, listing_queryset
from inspections.items import Finding, render
from inspections.models import ListingResult, ListingStanding, Outcome, SweepBatch, SweepRun
from inspections.selectors.sweep import listing_findings, nightly_trend, run_progress
from inspections.services import sweep
from tests.factories import OpsFactory
from tests.inspections.sweep_helpers import add_report, judge

NIGHTLY = SweepRun.Trigger.NIGHTLY


def run_all(run: SweepRun) -> SweepRun:
    for batch_id in run.batches.order_by("number").values_list("pk", flat=True):
        sweep.sweep_run_batch(batch_id=batch_id)
    run.refresh_from_db()
    return run


def nightly() -> SweepRun:
    return run_all(sweep.sweep_start(trigger=NIGHTLY))


@pytest.fixture
def small_batches(settings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "SWEEP_BATCH_SIZE": 2}


@pytest.fixture
def tea(listings):
    product = listings.on_sale(
        slug="green-tea", report=True, skus=[listings.sku("250g/罐", "250", "g", "98.00")]
    )
    judge(product)
    return product


@pytest.fixture
def citrus(listings):
    product = listings.on_sale()
    judge(product)
    return product


def clone(product: Product, n: int) -> list[Product]:
    """Copies of a listing with its SKUs, images and reports (fast: no services)."""
    skus, images, reports = (
        list(product.skus.all()),
        list(product.images.all()),
        list(product.test_reports.all()),
    )
    copies = []
    for _ in range(n):
        copy = Product.objects.get(pk=product.pk)
        copy.pk = None
        copy.save()
        for rows in (skus, images, reports):
            for row in rows:
                row.pk, row.product = None, copy
                row.save()
        copies.append(copy)
    return copies


def test_facts_take_the_same_queries_for_2_and_20_listings(citrus, tea, django_assert_num_queries):
    clone(citrus, 9)
    clone(tea, 9)
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 20
    gather_facts(listing_queryset().filter(pk__in=ids[:2]))  # warms the category tree cache
    with django_assert_num_queries(12):
        facts = gather_facts(listing_queryset().filter(pk__in=ids[:2]))
    assert len(facts) == 2
    with django_assert_num_queries(12):
        facts = gather_facts(listing_queryset().filter(pk__in=ids))
    assert len(facts) == 20 and all(f.skus for f in facts)


def test_batches_are_cut_by_id_range_over_the_listings_on_sale(listings, citrus, small_batches):
    others = clone(citrus, 4)
    draft = clone(citrus, 1)[0]
    Product.objects.filter(pk=draft.pk).update(status="draft")
    run = sweep.sweep_start(trigger=NIGHTLY)
    on_sale = [citrus.pk, *[p.pk for p in others]]
    assert run.total == 5 and run.batch_count == 3 and run.state == SweepRun.State.RUNNING
    assert list(run.batches.values_list("number", "first_id", "last_id", "state")) == [
        (1, on_sale[0], on_sale[1], "pending"),
        (2, on_sale[2], on_sale[3], "pending"),
        (3, on_sale[4], on_sale[4], "pending"),
    ]


def test_a_batch_is_queued_after_commit(citrus, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("inspections.services.sweep.send_after_commit", lambda task, *a, **kw: sent.append(a))
    run = sweep.sweep_start(trigger=NIGHTLY)
    assert sent == [(run.batches.get().pk,)]


def test_results_per_run_and_listing_and_a_redelivered_batch_leaves_the_same_rows(tea, citrus):
    TestReport.objects.filter(product=tea).delete()
    run = nightly()
    assert run.state == SweepRun.State.FINISHED and run.finished_at
    rows = list(
        ListingResult.objects.filter(run=run)
        .order_by("product_id")
        .values("pk", "product_id", "outcome", "findings")
    )
    assert [(r["product_id"], r["outcome"]) for r in rows] == [
        (tea.pk, Outcome.BLOCKING),
        (citrus.pk, Outcome.PASS),
    ]
    assert [f["code"] for f in rows[0]["findings"]] == ["listing.test_report_missing"]
    batch = run.batches.get()
    counts = (batch.checked, batch.with_findings, batch.blocking, batch.frozen, batch.attempts)
    assert counts == (2, 1, 1, 1, 1)
    assert batch.totals == {
        "codes": {"listing.test_report_missing": 1},
        "categories": {str(tea.category_id): 1},
    }

    sweep.sweep_run_batch(batch_id=batch.pk)  # redelivered after it was done: returns at once
    batch.refresh_from_db()
    assert batch.attempts == 1

    SweepBatch.objects.filter(pk=batch.pk).update(state=SweepBatch.State.PENDING)  # redelivered mid-way
    sweep.sweep_run_batch(batch_id=batch.pk)
    again = list(
        ListingResult.objects.filter(run=run)
        .order_by("product_id")
        .values("pk", "product_id", "outcome", "findings")
    )
    assert again == rows
    batch.refresh_from_db()
    assert (batch.checked, batch.with_findings, batch.blocking, batch.frozen) == (2, 1, 1, 0)


def test_freeze_on_blocking_and_unfreeze_once_fixed(listings, tea, citrus):
    TestReport.objects.filter(product=tea).delete()
    nightly()
    tea.refresh_from_db()
    assert tea.frozen_at is not None and not tea.is_visible
    with translation.override("zh-hans"):
        assert listing_findings(tea)[0][0] == "listing.test_report_missing"
    standing = ListingStanding.objects.get(product=tea)
    assert standing.frozen_by_sweep and standing.outcome == Outcome.BLOCKING
    assert standing.codes == ["listing.test_report_missing"]
    assert (
        AuditEntry.objects.filter(object_id=str(tea.pk), action="sweep_freeze", user_id__isnull=True).count()
        == 1
    )
    with translation.override("en"):
        assert listing_findings(tea) == [
            (
                "listing.test_report_missing",
                "blocking",
                f"The category {tea.category.name} requires a passed test report; none is on file.",
            )
        ]

    add_report(listings, tea)
    run = nightly()
    tea.refresh_from_db()
    assert tea.frozen_at is None and tea.frozen_reason == "" and tea.is_visible
    standing.refresh_from_db()
    assert not standing.frozen_by_sweep and standing.outcome == Outcome.PASS and standing.codes == []
    assert standing.result.run_id == run.pk
    assert run.batches.get().unfrozen == 1
    assert AuditEntry.objects.filter(object_id=str(tea.pk), action="sweep_unfreeze").count() == 1


def test_the_freeze_reason_is_in_chinese(tea):
    TestReport.objects.filter(product=tea).delete()
    with translation.override("en"):
        nightly()
    tea.refresh_from_db()
    with translation.override("zh-hans"):
        expected = render(Finding("listing.test_report_missing", "blocking", {"category": tea.category.name}))
    assert tea.frozen_reason == expected


def test_a_frozen_listing_answers_buyers_as_a_hidden_one(client, tea):
    url = reverse("catalog:product", args=[tea.pk])
    assert client.get(url).status_code == 200
    TestReport.objects.filter(product=tea).delete()
    nightly()
    assert client.get(url).status_code == 404


def test_the_sweep_never_lifts_a_freeze_it_did_not_make(listings, tea, citrus):
    listings_freeze(product_ids=[citrus.pk], reason="人工核查冻结")
    TestReport.objects.filter(product=tea).delete()
    listings_freeze(product_ids=[tea.pk], reason="人工核查冻结")
    nightly()
    for product in (citrus, tea):
        product.refresh_from_db()
        assert product.frozen_at is not None and product.frozen_reason == "人工核查冻结"
        assert not ListingStanding.objects.get(product=product).frozen_by_sweep
    add_report(listings, tea)
    nightly()
    tea.refresh_from_db()
    assert tea.frozen_reason == "人工核查冻结" and not tea.is_visible
    assert not AuditEntry.objects.filter(action__startswith="sweep_").exists()


def test_rerunning_a_whole_sweep_changes_nothing_but_timestamps(tea, citrus, small_batches):
    TestReport.objects.filter(product=tea).delete()
    clone(citrus, 2)

    def state(run):
        results = list(
            ListingResult.objects.filter(run=run)
            .order_by("product_id")
            .values_list("product_id", "outcome", "findings")
        )
        standings = list(
            ListingStanding.objects.order_by("product_id").values_list(
                "product_id", "outcome", "codes", "frozen_by_sweep"
            )
        )
        products = list(
            Product.objects.order_by("pk").values_list("pk", "frozen_at", "frozen_reason", "is_visible")
        )
        batches = list(
            run.batches.order_by("number").values_list(
                "number", "first_id", "last_id", "checked", "with_findings", "blocking", "totals"
            )
        )
        return results, standings, products, batches, AuditEntry.objects.count()

    first, second = nightly(), nightly()
    assert state(first) == state(second)


def test_a_failed_batch_is_recorded_and_shown_in_the_progress(tea, monkeypatch):
    def boom(facts):
        raise RuntimeError("boom")

    monkeypatch.setattr("inspections.services.sweep.run_items", boom)
    run = sweep.sweep_start(trigger=NIGHTLY)
    batch = run.batches.get()
    with pytest.raises(RuntimeError):
        sweep.sweep_run_batch(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.error, batch.attempts) == ("failed", "RuntimeError: boom", 1)
    assert not ListingResult.objects.exists() and not ListingStanding.objects.exists()
    progress = run_progress(run_id=run.pk)
    assert (progress.batches_failed, progress.checked, progress.total) == (1, 0, 1)

    monkeypatch.undo()
    sweep.sweep_run_batch(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.error, batch.attempts) == ("done", "", 2)
    progress = run_progress(run_id=run.pk)
    assert (progress.batches_failed, progress.checked, progress.with_findings) == (0, 1, 0)


def test_the_run_finishes_once(tea, citrus, small_batches):
    clone(citrus, 1)
    run = sweep.sweep_start(trigger=NIGHTLY)
    first, second = run.batches.order_by("number")
    sweep.sweep_run_batch(batch_id=first.pk)
    run.refresh_from_db()
    assert run.state == SweepRun.State.RUNNING
    sweep.sweep_run_batch(batch_id=second.pk)
    run.refresh_from_db()
    assert run.state == SweepRun.State.FINISHED
    finished_at = run.finished_at
    assert sweep._finish_run(run.pk) is False
    run.refresh_from_db()
    assert run.finished_at == finished_at


def test_on_demand_scopes(listings, tea, citrus):
    ops = OpsFactory(teams=["internal_control"])
    run = sweep.check_now(kind="product", pk=tea.pk, by=ops)
    assert (run.trigger, run.scope, run.total, run.requested_by) == (
        "on_demand",
        {"products": [tea.pk]},
        1,
        ops,
    )
    run_all(run)
    assert list(ListingResult.objects.filter(run=run).values_list("product_id", flat=True)) == [tea.pk]

    assert sweep.check_now(kind="supplier", pk=tea.supplier_id, by=ops).total == 2
    parent = Category.objects.get(pk=citrus.category_id).parent_id
    run = sweep.check_now(kind="category", pk=parent, by=ops)
    assert run.total == 1
    run_all(run)
    assert list(ListingResult.objects.filter(run=run).values_list("product_id", flat=True)) == [citrus.pk]


def test_on_demand_refusals(listings, citrus):
    ops = OpsFactory(teams=["internal_control"])
    Product.objects.filter(pk=citrus.pk).update(status="off_sale")
    before = SweepRun.objects.count()
    with pytest.raises(ValidationError) as info:
        sweep.check_now(kind="product", pk=citrus.pk, by=ops)
    assert "scope" in info.value.message_dict
    with pytest.raises(ValidationError):
        sweep.check_now(kind="supplier", pk=999999, by=ops)
    with pytest.raises(PermissionDenied):
        sweep.check_now(kind="supplier", pk=citrus.supplier_id, by=OpsFactory(teams=["content_ops"]))
    assert SweepRun.objects.count() == before


def test_nightly_totals_and_trend(tea, citrus):
    TestReport.objects.filter(product=tea).delete()
    nightly()
    nightly()
    sweep.check_now(kind="product", pk=tea.pk, by=OpsFactory(teams=["internal_control"]))  # not nightly
    trend = nightly_trend()
    assert len(trend.runs) == 2
    assert [(row.key, row.counts) for row in trend.by_item] == [("listing.test_report_missing", [1, 1])]
    assert [(row.label, row.counts) for row in trend.by_category] == [(tea.category.name, [1, 1])]


def test_the_nightly_task_starts_a_run(citrus):
    from inspections.tasks import nightly_sweep

    result = nightly_sweep.run()
    run = SweepRun.objects.get()
    assert result == {"run": run.pk, "listings": 1, "batches": 1} and run.trigger == NIGHTLY


def test_the_batch_task_is_acknowledged_late_with_time_limits():
    from inspections.tasks import sweep_batch

    assert sweep_batch.acks_late and sweep_batch.reject_on_worker_lost
    assert sweep_batch.soft_time_limit < sweep_batch.time_limit
