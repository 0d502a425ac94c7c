"""Background work of the spot checks: thin wrappers around inspections.services."""

from celery import shared_task
from django.db import OperationalError

from inspections.models import SweepRun
from inspections.services import sweep


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_batch(batch_id: int) -> dict | None:
    """Check one batch of a sweep run. Acknowledged late and keyed by (run, listing): a batch
    redelivered after a lost worker rewrites the same rows; one already done returns at once."""
    batch = sweep.sweep_run_batch(batch_id=batch_id)
    if batch is None:
        return None
    return {"batch": batch.pk, "state": batch.state, "checked": batch.checked}


@shared_task(soft_time_limit=600, time_limit=660)
def nightly_sweep() -> dict:
    """Every night: every check item over every listing on sale (beat: inspections-nightly-sweep)."""
    run = sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)
    return {"run": run.pk, "listings": run.total, "batches": run.batch_count}
