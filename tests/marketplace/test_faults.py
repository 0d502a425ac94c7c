"""Fault tests on the real services (PostgreSQL, Redis, a Celery worker process): a database connection
lost in the middle of a request, and a worker killed in the middle of a task.

PostgreSQL "restarted mid-request" is done by terminating the request's own backend
(``pg_terminate_backend``) from a second connection while the request's transaction is open. To the
application that is what a restart is: every backend ends with SQLSTATE 57P01 ("terminating connection due
to administrator command") and the next statement on a kept connection (``CONN_MAX_AGE``) fails. A real
restart of the shared server would break every other test running in parallel (xdist) on it, and a private
server would cost an initdb and the full migrations per run; terminating one backend hits exactly the
request under test.

No sleeps: each wait polls its condition every 50 ms until a deadline.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import redis
from django.conf import settings as django_settings
from django.db import close_old_connections, connection
from django.test import Client

from accounts.models import Notification
from accounts.tasks import email_notification
from catalog.models import StockMovement
from core.models import OutboxMessage
from marketplace.celery import app as celery_app
from orders.models import Cart, Order, Payment
from tests.factories import SupplierUserFactory
from tests.orders.conftest import Shop
from tests.services import require_postgres, require_redis

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


def wait_for(condition, *, seconds: float, what: str):
    """Poll ``condition`` every 50 ms until it returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds}s waiting for {what}")
        time.sleep(0.05)


def _raw_connection(**kwargs) -> psycopg.Connection:
    """A connection of our own to the test database, beside Django's."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"], **kwargs
    )


# --- PostgreSQL: the backend of a request's connection terminated mid-request --------------------


class ServerLikeClient(Client):
    """The test client with a WSGI server's connection handling. Django's test client takes
    ``close_old_connections`` off ``request_started``/``request_finished`` (so a test's transaction
    survives its requests); a server runs it at each request's start and end, closing a connection that
    is unusable or whose health check fails. This puts it back."""

    def request(self, **request):
        close_old_connections()
        try:
            return super().request(**request)
        finally:
            close_old_connections()


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _checkout_form(client: Client, buyer) -> dict:
    html = client.get("/orders/checkout/").content.decode()
    return {
        "action": "place",
        "address": buyer.buyer_unit.addresses.get(is_default=True).pk,
        "invoice_type": "ordinary",
        "payment_method": "official_card",
        "note": "",
        "fingerprint": _hidden(html, "fingerprint"),
        "idempotency_key": _hidden(html, "idempotency_key"),
    }


class TerminateBackendOn:
    """An execute wrapper that, just before the first statement containing ``fragment`` runs, has a
    second connection terminate this connection's backend (and waits until it is gone)."""

    def __init__(self, fragment: str):
        self.fragment = fragment
        self.terminated: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        if not self.terminated and self.fragment in sql:
            pid = context["connection"].connection.info.backend_pid
            with _raw_connection(autocommit=True) as other:
                # The timeout makes the call wait until the backend has exited (PostgreSQL 14+).
                ended = other.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
            assert ended, f"backend {pid} was not terminated"
            self.terminated.append(pid)
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_checkout_whose_database_connection_dies_leaves_nothing_and_the_next_one_succeeds(migrated_data):
    require_postgres()
    shop = Shop()
    buyer = shop.buyer(language="en")
    sku = shop.sku(price="12.00", stock=5)
    client = ServerLikeClient(raise_request_exception=False)
    client.force_login(buyer)
    client.post("/orders/cart/add/", {"sku": sku.pk, "quantity": 2})
    form = _checkout_form(client, buyer)
    movements = StockMovement.objects.count()
    notifications, outbox = Notification.objects.count(), OutboxMessage.objects.count()

    # The connection dies at the checkout's last statement: the order, its lines, its payment, the stock
    # taken and the notifications are all written by then, inside the one transaction.
    killer = TerminateBackendOn('INSERT INTO "core_outboxmessage"')
    with connection.execute_wrapper(killer):
        failed = client.post("/orders/checkout/", form)
    assert killer.terminated, "the checkout never reached its last statement"
    assert failed.status_code == 500

    # Nothing half-made: no order, no payment, no stock taken, no notification or outbox row; the cart is
    # as it was, so the buyer can try again.
    sku.refresh_from_db()
    assert sku.stock == 5
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert StockMovement.objects.count() == movements
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (notifications, outbox)
    assert Cart.objects.get(user=buyer).items.get().quantity == 2

    # The next request gets a working connection (CONN_HEALTH_CHECKS) and the same checkout succeeds.
    assert client.get("/orders/").status_code == 200
    placed = client.post("/orders/checkout/", form)
    assert placed.status_code == 302 and placed["Location"] == "/orders/"
    order = Order.objects.get()
    sku.refresh_from_db()
    assert sku.stock == 3
    assert order.lines.get().quantity == 2
    assert StockMovement.objects.count() == movements + 1


@pytest.mark.django_db(transaction=True)
def test_a_request_on_a_kept_connection_whose_backend_died_between_requests_succeeds(migrated_data):
    """A restart between two requests: the kept connection (CONN_MAX_AGE) is dead when the next request
    starts, and the health check replaces it before the view runs."""
    require_postgres()
    user = SupplierUserFactory()
    client = ServerLikeClient(raise_request_exception=True)
    client.force_login(user)
    assert client.get("/accounts/notifications/").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _raw_connection(autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0]
    assert client.get("/accounts/notifications/").status_code == 200
    connection.ensure_connection()
    assert connection.connection.info.backend_pid != pid


# --- Celery: a worker killed mid-task; the task is redelivered (acks_late) and done once ---------

WORKER = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = sys.argv[1]
from marketplace.celery import app
app.conf.task_always_eager = False
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **TRANSPORT}
app.worker_main(["worker", "--pool=solo", "--queues", sys.argv[2], "--loglevel=INFO",
                 "--without-heartbeat", "--without-gossip", "--without-mingle", "--hostname", sys.argv[3]])
"""


def _transport(prefix: str) -> dict:
    # Keys of our own (queue, unacked index), so no other worker on this Redis restores or takes them;
    # an unacknowledged message is visible again after 1 s, and the worker looks for such every second.
    return {
        "global_keyprefix": prefix,
        "visibility_timeout": 1,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, tmp: Path, queue: str, prefix: str, name: str):
        env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": django_settings.REDIS_URL}
        env.pop("CELERY_BROKER_URL", None)
        self.log = tmp / f"{name}.log"
        code = WORKER.replace("**TRANSPORT}", f"**{_transport(prefix)!r}}}")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(tmp / "mail"), queue, f"{name}@faults"],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _waiting_on_the_row_lock() -> bool:
    with _raw_connection(autocommit=True) as other:
        return other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ['SELECT %FROM "accounts_notification"%'],  # the text is cut at 1 kB: FOR UPDATE is past it
        ).fetchone()[0]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_the_task_to_the_next_worker_which_does_it_once(
    migrated_data, tmp_path
):
    require_postgres()
    require_redis()
    assert celery_app.conf.task_acks_late is True
    (tmp_path / "mail").mkdir()
    user = SupplierUserFactory()
    row = Notification.objects.create(user=user, subject="订单已发货", body="b")
    queue, prefix = f"faults-{uuid.uuid4().hex[:8]}", f"faults-{uuid.uuid4().hex[:8]}:"
    workers = []
    # Hold the notification's row lock: the first worker takes the task and then waits, mid-task.
    holder = _raw_connection()
    try:
        holder.execute("SELECT id FROM accounts_notification WHERE id = %s FOR UPDATE", [row.pk])
        workers.append(first := Worker(tmp_path, queue, prefix, "first"))
        celery_app.conf.task_always_eager = False
        with celery_app.connection_for_write(transport_options=_transport(prefix)) as conn:
            sent = email_notification.apply_async(args=[row.pk], queue=queue, connection=conn)
        wait_for(_waiting_on_the_row_lock, seconds=120, what="the first worker to start the task")
        first.stop(signal.SIGKILL)  # killed mid-task: the message was never acknowledged
        assert first.process.returncode == -signal.SIGKILL
        holder.rollback()

        row.refresh_from_db()
        assert row.emailed_at is None and list((tmp_path / "mail").iterdir()) == []
        workers.append(second := Worker(tmp_path, queue, prefix, "second"))
        wait_for(
            lambda: Notification.objects.filter(pk=row.pk, emailed_at__isnull=False).exists(),
            seconds=120,
            what="the task to be redelivered to the second worker and done",
        )
        second.stop()  # a warm shutdown: what it took is acknowledged or handed back
    finally:
        holder.close()
        for worker in workers:
            worker.stop(signal.SIGKILL)

    # Done once: one email, and nothing left in the queue or waiting for acknowledgement.
    assert len(list((tmp_path / "mail").iterdir())) == 1, (tmp_path / "second.log").read_text()
    broker = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        assert broker.llen(prefix + queue) == 0
        assert broker.zcard(prefix + "unacked_index") == 0
        assert broker.hlen(prefix + "unacked") == 0
    finally:
        broker.delete(*broker.scan_iter(f"{prefix}*"), "__nothing__")  # the bindings the workers left
    # Redelivered: the message both workers received is the one sent (its id), not a second one.
    received = f"email_notification[{sent.id}] received"
    assert received in (tmp_path / "first.log").read_text()
    assert received in (tmp_path / "second.log").read_text()
