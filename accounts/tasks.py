import logging
from datetime import timedelta
from importlib import import_module

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=120, time_limit=180)
def clear_expired_sessions() -> None:
    """Delete expired sessions, as ``manage.py clearsessions`` does. Idempotent."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(soft_time_limit=60, time_limit=90, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> None:
    from accounts.notifications import notification_email

    notification_email(notification_id=notification_id)


@shared_task(soft_time_limit=600, time_limit=660)
def email_unsent_notifications() -> dict[str, int]:
    """Email what is still unsent: notifications whose task could not be queued (the broker was down)
    or failed for good. Idempotent: each row is sent once (``notification_email`` skips a sent one),
    and rows younger than ``NOTIFICATION_EMAIL_CATCH_UP["AFTER_MINUTES"]`` are left to their own task."""
    from accounts.notifications import notification_email, unsent_notification_ids

    rules = settings.NOTIFICATION_EMAIL_CATCH_UP
    ids = unsent_notification_ids(
        older_than=timedelta(minutes=rules["AFTER_MINUTES"]),
        newer_than=timedelta(days=rules["WITHIN_DAYS"]),
        limit=rules["BATCH"],
    )
    sent = failed = 0
    for pk in ids:
        try:
            sent += notification_email(notification_id=pk)
        except OSError as exc:  # the mail server: the row stays unsent, tried again next run
            failed += 1
            logger.warning("Email of notification %s failed (%s); tried again next run.", pk, exc)
    return {"found": len(ids), "sent": sent, "failed": failed}
