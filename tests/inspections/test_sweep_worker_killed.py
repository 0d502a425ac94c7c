"""A sweep worker killed with SIGKILL in the middle of a batch: once the batch is delivered again, no
result is lost and none is duplicated.

The test starts real Celery worker processes (``celery -A marketplace worker``) on a Redis database of
their own and on the test's PostgreSQL database, and commits its data. It holds a row lock the batch
needs late in its transaction (a listing's standing, written after the batch has frozen listings and
inserted its results), waits until the worker is waiting on that lock, kills the worker, releases the
lock and starts a fresh worker. With ``acks_late`` the killed worker's message stays unacknowledged in
Redis and is delivered again after ``CELERY_VISIBILITY_TIMEOUT`` seconds (shortened here to 1).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import AuditEntry
from catalog import models as catalog
from core.background import reset_broker_state
from inspections.models import ListingResult, ListingStanding, Outcome, SweepBatch, SweepRun
from inspections.services import sweep
from marketplace.celery import app as celery_app
from tests.catalog.conftest import Listings
from tests.inspections.sweep_helpers import judge
from tests.services import require_postgres, require_redis

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds: only keeps a broken worker from hanging CI; a pass takes a few seconds
VISIBILITY_TIMEOUT = 1


def wait_for(condition: Callable[[], object], what: str, log: Path | None = None):
    """Poll ``condition`` until it returns something true; fail after DEADLINE."""
    give_up = time.monotonic() + DEADLINE
    while time.monotonic() < give_up:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"gave up waiting for {what}\n{tail}")


def worker_broker_url() -> str:
    """The Redis of REDIS_URL, a database number of the test's own (not the one the suite uses)."""
    parsed = urlparse(settings.REDIS_URL)
    used = int((parsed.path or "/0").strip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{14 if used != 14 else 13}"))


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Celery worker processes (solo pool: the process that runs the task is the one started)."""

    def __init__(self, broker: str, log: Path):
        self.broker, self.log, self.processes = broker, log, []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker,
            "CELERY_BROKER_URL": self.broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "DJANGO_ENV": "test",
        }
        command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool", "solo"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "WARNING"]
        command += ["--hostname", f"killed-test-{uuid.uuid4().hex[:8]}@%h"]
        with self.log.open("ab") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@contextmanager
def publishing_to(broker: str):
    """The test process sends its tasks to the workers' broker instead of running them in-process."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = broker, False
    reset_pools()
    reset_broker_state()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        reset_pools()


@contextmanager
def row_locked(sql: str, params: list):
    """Hold ``SELECT ... FOR UPDATE`` from a connection of the test's own, until the block ends."""
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    ) as conn:
        assert conn.execute(sql, params).fetchall(), "nothing to lock"
        try:
            yield
        finally:
            conn.rollback()


def waiting_on(table: str) -> list[int]:
    """Backends of the test database waiting for a row lock while writing ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{table}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def others_connected() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def end_leftover_connections() -> None:
    """The workers are dead, but a backend of theirs may still wait on the server (seen once in CI: one
    was still there a minute later); end them, so the test's flush is not blocked by a stray lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )


def make_listings() -> list[catalog.Product]:
    """Five listings: citrus, tea, tea, citrus, citrus (in id order), each with its price judged."""
    listings = Listings()
    tea = {"slug": "green-tea", "report": True, "skus": [listings.sku("250g/罐", "250", "g", "98.00")]}
    made = [
        listings.on_sale(),
        listings.on_sale(**tea),
        listings.on_sale(**tea),
        listings.on_sale(),
        listings.on_sale(),
    ]
    for product in made:
        judge(product)
    return made


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_no_lost_or_duplicated_results(migrated_data, settings, tmp_path):
    require_postgres()
    require_redis()
    settings.INSPECTIONS = {**settings.INSPECTIONS, "SWEEP_BATCH_SIZE": 2}
    first, second, third, *_rest = products = make_listings()
    catalog.TestReport.objects.filter(product=third).delete()  # blocks in both runs
    earlier = sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)  # in-process: every listing has a standing
    earlier.refresh_from_db()
    assert earlier.state == SweepRun.State.FINISHED
    catalog.TestReport.objects.filter(product=second).delete()  # blocks from now: batch 1 freezes it

    broker = worker_broker_url()
    redis.Redis.from_url(broker).flushdb()
    workers = Workers(broker, tmp_path / "worker.log")
    try:
        lock = "SELECT 1 FROM inspections_listingstanding WHERE product_id = %s FOR UPDATE"
        with row_locked(lock, [first.pk]), publishing_to(broker):
            run = sweep.sweep_start(trigger=SweepRun.Trigger.NIGHTLY)
            assert run.batch_count == 3
            doomed = workers.start()
            # Batch 1 has frozen the second listing and inserted its results, and now waits for the lock.
            wait_for(lambda: waiting_on("inspections_listingstanding"), "the worker to block", workers.log)
            assert SweepBatch.objects.get(run=run, number=1).state == SweepBatch.State.PENDING
            doomed.send_signal(signal.SIGKILL)
            assert doomed.wait(timeout=30) == -signal.SIGKILL
        # The dead worker's transaction is rolled back; its message, unacknowledged, is delivered again.
        assert not ListingResult.objects.filter(run=run).exists()
        assert catalog.Product.objects.get(pk=second.pk).frozen_at is None
        workers.start()
        wait_for(
            lambda: SweepRun.objects.get(pk=run.pk).state == SweepRun.State.FINISHED,
            "the run to finish",
            workers.log,
        )
    finally:
        workers.stop_all()
        redis.Redis.from_url(broker).flushdb()
    end_leftover_connections()
    wait_for(lambda: others_connected() == 0, "the workers' connections to close")
    assert_complete_and_unique(run, products, blocking={second.pk, third.pk})


def assert_complete_and_unique(run: SweepRun, products: list[catalog.Product], *, blocking: set[int]) -> None:
    run.refresh_from_db()
    live = {p.pk for p in products}
    batches = list(run.batches.order_by("number").values_list("number", "state", "checked", "attempts"))
    assert batches == [
        (1, SweepBatch.State.DONE, 2, 1),  # the killed attempt left no trace, not even its count
        (2, SweepBatch.State.DONE, 2, 1),
        (3, SweepBatch.State.DONE, 1, 1),
    ]
    assert run.total == sum(b[2] for b in batches) == len(live) == 5
    results = list(ListingResult.objects.filter(run=run).values_list("product_id", "outcome"))
    assert sorted(pk for pk, _outcome in results) == sorted(live)  # one each: none lost, none twice
    assert {pk for pk, outcome in results if outcome == Outcome.BLOCKING} == blocking
    standings = ListingStanding.objects.filter(product_id__in=live)
    assert sorted(standings.filter(result__run=run).values_list("product_id", flat=True)) == sorted(live)
    assert set(standings.filter(frozen_by_sweep=True).values_list("product_id", flat=True)) == blocking
    frozen = catalog.Product.objects.filter(pk__in=live, frozen_at__isnull=False).values_list("pk", flat=True)
    assert set(frozen) == blocking
    freezes = AuditEntry.objects.filter(
        action="sweep_freeze", details__run=str(run.pk)
    )  # audit details are text
    assert sorted(freezes.values_list("object_id", flat=True)) == [str(products[1].pk)]  # once, not twice
