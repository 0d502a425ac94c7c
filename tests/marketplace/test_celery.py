"""A real Celery worker consumes from Redis: the broker path that production uses."""

import threading
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from marketplace.celery import app
from tests.services import require_redis


def test_tasks_are_discovered_and_scheduled():
    app.loader.import_default_modules()
    assert "accounts.tasks.clear_expired_sessions" in app.tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_task_sent_through_redis():
    require_redis()
    app.conf.task_always_eager = False
    queue = f"test-{uuid.uuid4().hex[:8]}"
    expired = SessionStore()
    expired["k"] = "v"
    expired.set_expiry(timezone.now() - timedelta(days=1))
    expired.create()
    assert Session.objects.filter(session_key=expired.session_key).exists()
    wanted, finished = str(uuid.uuid4()), threading.Event()

    def _finished(task_id=None, **kwargs):
        if task_id == wanted:
            finished.set()

    task_postrun.connect(_finished, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
            clear_expired_sessions.apply_async(queue=queue, task_id=wanted)
            # Woken by the worker when the task has run; the bound only keeps a broken broker from hanging CI.
            assert finished.wait(timeout=300), "the worker never ran the task"
    finally:
        task_postrun.disconnect(_finished)
    assert not Session.objects.filter(session_key=expired.session_key).exists()


@pytest.mark.django_db
def test_eager_mode_runs_tasks_in_process():
    store = SessionStore()
    store.set_expiry(timezone.now() - timedelta(seconds=1))
    store.create()
    clear_expired_sessions.delay()
    assert not Session.objects.filter(session_key=store.session_key).exists()
