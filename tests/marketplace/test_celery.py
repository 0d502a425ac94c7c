"""A real Celery worker consumes from Redis: the broker path that production uses."""

import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
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
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
        clear_expired_sessions.apply_async(queue=queue)
        deadline = time.monotonic() + 20
        while Session.objects.filter(session_key=expired.session_key).exists():
            assert time.monotonic() < deadline, "the worker did not run the task within 20 s"
            time.sleep(0.2)


@pytest.mark.django_db
def test_eager_mode_runs_tasks_in_process():
    store = SessionStore()
    store.set_expiry(timezone.now() - timedelta(seconds=1))
    store.create()
    clear_expired_sessions.delay()
    assert not Session.objects.filter(session_key=store.session_key).exists()
