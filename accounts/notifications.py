"""Notifications: stored in each user's inbox, then emailed by a background task after commit.

A notification whose email task could not be queued (the broker down) is sent again by the outbox's drain
(``core.background``); one whose email failed for good stays unsent (``emailed_at``
null) and is emailed by the ``accounts.tasks.email_unsent_notifications`` beat task.
"""

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Notification, User
from core.background import send_after_commit

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
        send_after_commit(
            email_notification,
            row.pk,
            what=f"email of notification {row.pk}",
            made_up_by="email_unsent_notifications sends it later",
        )
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


def unsent_notification_ids(*, older_than: timedelta, newer_than: timedelta, limit: int) -> list[int]:
    """Notifications still to email: unsent, to a user with an address, made between ``newer_than``
    and ``older_than`` ago (younger ones may still be in the queue), oldest first."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lte=now - older_than,
            created_at__gte=now - newer_than,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
