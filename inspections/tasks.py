"""Background work of the spot checks: thin wrappers around inspections.services."""

from celery import shared_task
from django.db import OperationalError

from inspections.models import SweepRun
from inspections.services import sweep
from inspections.services.checks import checks_watch_deadlines


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


@shared_task(soft_time_limit=1800, time_limit=1900)
def watch_check_deadlines() -> dict:
    """Daily: close rectifications left unanswered past their deadline (the ladder's sanction), and make
    final the sanctions whose appeal window passed without an appeal."""
    result = checks_watch_deadlines()
    return {"expired": result.expired, "finalized": result.finalized}
