from celery import shared_task

from suppliers.services import qualifications_watch_expiry


@shared_task(soft_time_limit=1800, time_limit=1900)
def watch_qualification_expiry() -> dict:
    """Daily: warn before qualifications lapse, expire lapsed ones, suspend who lost a mandatory one."""
    result = qualifications_watch_expiry()
    return {"warned": result.warned, "expired": result.expired, "suspended": result.suspended}
