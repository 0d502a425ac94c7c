"""Celery tasks of spot checks: thin wrappers around the services."""

from celery import shared_task

from inspections.services.checks import checks_watch_deadlines


@shared_task(soft_time_limit=1800, time_limit=1900)
def watch_check_deadlines() -> dict:
    """Daily: close rectifications left unanswered past their deadline (the ladder's sanction), and make
    final the sanctions whose appeal window passed without an appeal."""
    result = checks_watch_deadlines()
    return {"expired": result.expired, "finalized": result.finalized}
