"""The transactional outbox (core/background.py): a task queued after commit is a row written in the
caller's transaction, marked sent once the broker takes it, and sent again by the drain when it did not."""

import logging
from datetime import timedelta

import pytest
from celery import shared_task
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from core.background import outbox_drain, reset_broker_state, send_after_commit
from core.models import OutboxMessage
from marketplace.celery import app as celery_app

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
RAN: list[list] = []


@shared_task(name="tests.core.test_outbox.remember")
def remember(*args) -> None:
    RAN.append(list(args))


@shared_task(name="tests.core.test_outbox.explode")
def explode(*args) -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()
    reset_broker_state()
    yield
    reset_broker_state()


@pytest.fixture
def broker_down():
    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture puts it back
    celery_app.conf.broker_url = CLOSED
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.broker_url = previous
    celery_app.amqp._producer_pool = None
    celery_app.conf.task_always_eager = True
    reset_broker_state()


def _age(seconds: int) -> None:
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(seconds=seconds))


def _queue(*args, what="remembering"):
    send_after_commit(remember, *args, what=what, made_up_by="the drain")


@pytest.mark.django_db
def test_the_row_is_written_in_the_callers_transaction_and_sent_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _queue(7, [1, 2])
        row = OutboxMessage.objects.get()
        assert (row.task, row.args, row.sent_at) == ("tests.core.test_outbox.remember", [7, [1, 2]], None)
        assert RAN == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert RAN == [[7, [1, 2]]]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        _queue(1)
        raise ValueError("the use case failed")
    assert callbacks == [] and RAN == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_broker_down_at_commit_leaves_the_row_which_the_drain_sends_once(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _queue(1, what="first")
        _queue(2, what="second")
    rows = list(OutboxMessage.objects.order_by("id"))
    assert [(r.sent_at, r.attempts) for r in rows] == [(None, 1), (None, 1)]
    assert "broker unreachable" in rows[0].last_error
    assert "moments ago" in rows[1].last_error  # the second send did not wait on the broker again
    assert [m for m in caplog.messages if m.startswith("Not queued: first")] != []
    assert RAN == []

    # Too young for the drain: they may still be on their way.
    celery_app.conf.task_always_eager = True
    assert outbox_drain() == {"found": 0, "sent": 0, "failed": 0, "pruned": 0}
    _age(61)
    assert outbox_drain() == {"found": 2, "sent": 2, "failed": 0, "pruned": 0}
    assert RAN == [[1], [2]]
    assert list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)) == [2, 2]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert outbox_drain()["found"] == 0
    assert RAN == [[1], [2]]  # exactly once


@pytest.mark.django_db
def test_the_drain_stops_at_the_first_broker_failure_and_counts_the_attempt(broker_down):
    for n in range(3):
        send_after_commit(remember, n, what=f"n={n}", made_up_by="the drain")
    _age(61)
    OutboxMessage.objects.update(attempts=0, last_error="")
    assert outbox_drain() == {"found": 3, "sent": 0, "failed": 1, "pruned": 0}
    assert list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)) == [1, 0, 0]
    assert not OutboxMessage.objects.filter(sent_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_task_failing_in_process_does_not_fail_the_commit_and_stays_unsent(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_after_commit(explode, 1, what="exploding", made_up_by="the drain")
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.attempts == 1 and "RuntimeError: boom" in row.last_error
    _age(61)
    assert outbox_drain() == {"found": 1, "sent": 0, "failed": 1, "pruned": 0}
    assert OutboxMessage.objects.get().attempts == 2


@pytest.mark.django_db
def test_a_row_naming_no_task_is_counted_not_sent():
    OutboxMessage.objects.create(task="gone.tasks.nothing", args=[1], what="a task since removed")
    _age(61)
    assert outbox_drain() == {"found": 1, "sent": 0, "failed": 1, "pruned": 0}
    row = OutboxMessage.objects.get()
    assert row.attempts == 1 and row.last_error == "no task named 'gone.tasks.nothing'"


@pytest.mark.django_db
def test_the_drain_gives_up_on_old_rows_and_prunes_old_sent_ones():
    now = timezone.now()
    rules = django_settings.OUTBOX
    make = OutboxMessage.objects.create
    stale = make(task=remember.name, args=[1], what="stale", created_at=now - timedelta(hours=49))
    old_sent = make(task=remember.name, args=[2], what="old", sent_at=now - timedelta(days=8))
    recent_sent = make(task=remember.name, args=[3], what="recent", sent_at=now - timedelta(days=6))
    assert rules["GIVE_UP_AFTER_HOURS"] == 48 and rules["KEEP_SENT_DAYS"] == 7
    assert outbox_drain() == {"found": 0, "sent": 0, "failed": 0, "pruned": 1}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {stale.pk, recent_sent.pk}
    assert not OutboxMessage.objects.filter(pk=old_sent.pk).exists()
    assert RAN == []


def test_the_drain_is_on_the_beat_schedule_every_minute():
    entries = [
        e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.tasks.drain_outbox"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].minute == set(range(60))
