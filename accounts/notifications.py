"""Notifications: stored in each user's inbox, then emailed by a background task after commit."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Notification, User

Text = str | Callable[[], str]


def _render(text: Text) -> str:
    return str(text() if callable(text) else text)


def notify(*, users: Iterable[User], subject: Text, body: Text = "", link: str = "") -> list[Notification]:
    """Put a message in each user's inbox and email it once the surrounding transaction commits.

    Each message is written in its reader's language (``User.language``), not the language of whoever
    caused it: pass ``subject`` and ``body`` as functions (``lambda: _("…") % {…}``) or lazy strings, and
    they are rendered once per language among the recipients. ``link`` is a path built with ``reverse()``.
    """
    from accounts.tasks import email_notification

    rendered: dict[str, tuple[str, str]] = {}
    rows = []
    for user in users:
        if not user.is_active:
            continue
        language = user.language or settings.LANGUAGE_CODE
        if language not in rendered:
            with translation.override(language):
                rendered[language] = (_render(subject), _render(body))
        text_subject, text_body = rendered[language]
        rows.append(Notification(user=user, subject=text_subject[:200], body=text_body, link=link))
    rows = Notification.objects.bulk_create(rows)
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: email_notification.delay(pk))
    return rows


def notification_email(*, notification_id: int) -> bool:
    """Send one notification by email; idempotent (a sent one is not sent again)."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if row is None or not row.user.email:
            return False
        body = row.body + (f"\n\n{settings.SITE_URL}{row.link}" if row.link else "")
        send_mail(row.subject, body, None, [row.user.email])
        row.emailed_at = timezone.now()
        row.save(update_fields=["emailed_at"])
    return True


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
