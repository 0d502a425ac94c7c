"""Queue a Celery task once the surrounding transaction commits, without ever failing what committed.

``transaction.on_commit(lambda: task.delay(...))`` raises from the commit when the broker is down, so
a request whose writes are already durable (an order placed, its stock taken) answered 500. Here a
task that cannot be queued is logged once, with what it was for, and dropped: the caller names the
periodic job that makes up for it (unsent notifications are emailed by a beat task, verdicts are
re-judged nightly). After a broker failure, sends in the next ``BROKER_RETRY_AFTER`` seconds are not
tried (each costs the publish retries), only logged: a checkout that notifies five people waits once.
"""

import logging
import threading
import time

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

BROKER_RETRY_AFTER = 10.0

_lock = threading.Lock()
_broker_down_until = 0.0


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


def send_now(task, *args, what: str, made_up_by: str) -> bool:
    """``task.delay(*args)``; False (logged once, with ``what``) when it could not be queued or, run
    eagerly, failed. ``made_up_by`` names what sends it later."""
    eager = bool(task.app.conf.task_always_eager)  # run in-process: no broker involved
    if not eager and _broker_down():
        logger.warning("Not queued: %s (the broker was unreachable moments ago; %s).", what, made_up_by)
        return False
    try:
        task.delay(*args)
    except OperationalError as exc:  # kombu: the broker is unreachable
        _mark_broker_down()
        logger.warning("Not queued: %s (broker unreachable: %s; %s).", what, exc, made_up_by)
        return False
    except Exception:
        # Eager mode runs the task here, in the committed request: its failure must not fail the request.
        logger.exception("Failed after commit: %s (%s).", what, made_up_by)
        return False
    return True


def send_after_commit(task, *args, what: str, made_up_by: str, using: str | None = None) -> None:
    """Queue ``task.delay(*args)`` once the current transaction commits (at once outside one).

    The commit stands whatever happens to the send: see :func:`send_now`.
    """

    def send() -> None:
        send_now(task, *args, what=what, made_up_by=made_up_by)

    transaction.on_commit(send, using=using)
