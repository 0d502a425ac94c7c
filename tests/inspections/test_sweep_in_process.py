"""A sweep its caller runs in-process (seed_demo): ``sweep_start(queue=False)`` queues nothing."""

import pytest

from inspections.models import ListingStanding, SweepBatch, SweepRun
from inspections.services import sweep
from tests.inspections.sweep_helpers import judge

NIGHTLY = SweepRun.Trigger.NIGHTLY


@pytest.fixture
def two_batches(settings, listings):
    settings.INSPECTIONS = {**settings.INSPECTIONS, "SWEEP_BATCH_SIZE": 1}
    products = [listings.on_sale(), listings.on_sale()]
    for product in products:
        judge(product)
    return products


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "inspections.services.sweep.send_after_commit", lambda task, *a, **kw: calls.append(a)
    )
    return calls


def test_without_queue_nothing_is_queued_and_the_caller_runs_the_batches(two_batches, sent):
    run = sweep.sweep_start(trigger=NIGHTLY, queue=False)

    assert sent == []
    assert list(run.batches.values_list("state", flat=True)) == [SweepBatch.State.PENDING] * 2
    for batch_id in run.batches.order_by("number").values_list("pk", flat=True):
        sweep.sweep_run_batch(batch_id=batch_id)
    run.refresh_from_db()
    assert (run.state, run.total, run.batch_count) == (SweepRun.State.FINISHED, 2, 2)
    assert set(ListingStanding.objects.values_list("product_id", "result__run_id")) == {
        (p.pk, run.pk) for p in two_batches
    }


def test_by_default_each_batch_is_queued(two_batches, sent):
    run = sweep.sweep_start(trigger=NIGHTLY)

    assert sent == [(pk,) for pk in run.batches.order_by("number").values_list("pk", flat=True)]
    assert len(sent) == 2
