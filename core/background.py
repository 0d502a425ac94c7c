"""Queue a Celery task once the surrounding transaction commits, through a transactional outbox.

``transaction.on_commit(lambda: task.delay(...))`` loses the task when the broker is down at commit (and
raised from the commit, so a request whose writes were durable answered 500). Here
:func:`send_after_commit` writes an :class:`core.models.OutboxMessage` row in the caller's transaction: it
exists exactly when the writes it follows do. Once the transaction commits, the task is sent and the row
marked sent. A send that fails is logged once (with ``what``) and leaves the row unsent; the commit stands.
The beat task ``core.tasks.drain_outbox`` (:func:`outbox_drain`) sends such rows again when the broker is
back, counting attempts, and prunes old sent rows.

Delivery is at least once: a row sent but not yet marked (the process died in between) is sent again by
the drain, so tasks stay idempotent (they filter on state, as every task here does). The drain leaves rows
younger than ``OUTBOX["RETRY_AFTER_SECONDS"]`` to their own after-commit send.

After a broker failure, sends in the next ``BROKER_RETRY_AFTER`` seconds are not tried (each costs the
publish retries), only left to the drain: a checkout that notifies five people waits once.
"""

import logging
import threading
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

BROKER_RETRY_AFTER = 10.0

_lock = threading.Lock()
_broker_down_until = 0.0


class BrokerDown(Exception):
    """The broker did not take the task (or was known to be down moments ago)."""


def _broker_down() -> bool:
    return time.monotonic() < _broker_down_until


def _mark_broker_down() -> None:
    global _broker_down_until
    with _lock:
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER


def reset_broker_state() -> None:
    """Forget an earlier broker failure (tests, and a worker that knows the broker is back)."""
    global _broker_down_until
    with _lock:
        _broker_down_until = 0.0


def _send(task, args: list) -> str:
    """``task.delay(*args)``: "" when queued (or, eager, run); otherwise why not. Raises nothing."""
    eager = bool(task.app.conf.task_always_eager)  # run in-process: no broker involved
    if not eager and _broker_down():
        return "the broker was unreachable moments ago"
    try:
        task.delay(*args)
    except OperationalError as exc:  # kombu: the broker is unreachable
        _mark_broker_down()
        return f"broker unreachable: {exc}"
    except Exception as exc:
        # Eager mode runs the task here, after the commit: its failure must not fail what committed.
        logger.exception("Task %s failed in-process.", task.name)
        return f"failed in-process: {type(exc).__name__}: {exc}"
    return ""


def send_now(task, *args, what: str, made_up_by: str) -> bool:
    """``task.delay(*args)`` with no outbox row; False (logged once, with ``what``) when it could not be
    queued or, run eagerly, failed. ``made_up_by`` names what sends it later."""
    error = _send(task, list(args))
    if error:
        logger.warning("Not queued: %s (%s; %s).", what, error, made_up_by)
    return not error


def _mark(row_id: int, *, error: str, using: str) -> None:
    changes = {"attempts": F("attempts") + 1, "last_error": error[:2000]}
    if not error:
        changes["sent_at"] = timezone.now()
    OutboxMessage.objects.using(using).filter(pk=row_id, sent_at__isnull=True).update(**changes)


def send_after_commit(task, *args, what: str, made_up_by: str, using: str | None = None) -> None:
    """Queue ``task.delay(*args)`` once the current transaction commits (at once outside one), through the
    outbox: the row is written now, in the caller's transaction; ``args`` must be JSON (ids, lists).

    The commit stands whatever happens to the send; a send that failed is logged with ``what`` and
    ``made_up_by`` and tried again by the outbox's drain.
    """
    alias = using or DEFAULT_DB_ALIAS
    row = OutboxMessage.objects.using(alias).create(
        task=task.name, args=list(args), what=what[:300], made_up_by=made_up_by[:300]
    )

    def send() -> None:
        error = _send(task, row.args)
        if error:
            logger.warning(
                "Not queued: %s (%s); the outbox sends it again (and %s).", what, error, made_up_by
            )
        _mark(row.pk, error=error, using=alias)

    transaction.on_commit(send, using=alias)


def _send_row(row: OutboxMessage) -> str:
    task = current_app.tasks.get(row.task)
    if task is None:
        return f"no task named {row.task!r}"
    return _send(task, row.args)


def outbox_drain() -> dict[str, int]:
    """Send the outbox rows the broker could not take: unsent, older than ``RETRY_AFTER_SECONDS`` (younger
    ones are still being sent after their commit), younger than ``GIVE_UP_AFTER_HOURS``, oldest first,
    ``BATCH`` a run; stop at the first broker failure. Then delete sent rows older than ``KEEP_SENT_DAYS``.

    Rows are locked while sent (``skip_locked``: two drains never send one row twice)."""
    rules = settings.OUTBOX
    now = timezone.now()
    reset_broker_state()  # this runs in a worker that just took a message from the broker
    sent = failed = 0
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                sent_at__isnull=True,
                created_at__lte=now - timedelta(seconds=rules["RETRY_AFTER_SECONDS"]),
                created_at__gte=now - timedelta(hours=rules["GIVE_UP_AFTER_HOURS"]),
            )
            .order_by("created_at", "id")[: rules["BATCH"]]
        )
        for row in rows:
            error = _send_row(row)
            _mark(row.pk, error=error, using=DEFAULT_DB_ALIAS)
            if not error:
                sent += 1
                continue
            failed += 1
            logger.warning("Outbox: not sent again: %s (%s).", row.what, error)
            if _broker_down():
                break
    pruned, _ = OutboxMessage.objects.filter(
        sent_at__lt=now - timedelta(days=rules["KEEP_SENT_DAYS"])
    ).delete()
    return {"found": len(rows), "sent": sent, "failed": failed, "pruned": pruned}
