from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(soft_time_limit=120, time_limit=180)
def clear_expired_sessions() -> None:
    """Delete expired sessions, as ``manage.py clearsessions`` does. Idempotent."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(soft_time_limit=60, time_limit=90, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(notification_id: int) -> None:
    from accounts.notifications import notification_email

    notification_email(notification_id=notification_id)
