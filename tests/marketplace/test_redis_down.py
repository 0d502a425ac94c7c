"""Redis unreachable (cache and Celery broker on a closed port): pages degrade, nothing that committed
answers with an error, and the notifications left unsent are emailed by the beat task later."""

import logging
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

import core.cache
from accounts.models import Notification
from accounts.tasks import email_unsent_notifications
from core.background import reset_broker_state
from core.models import OutboxMessage
from core.tasks import drain_outbox
from demo import DEMO_PASSWORD
from marketplace.celery import app as celery_app
from orders.models import Order
from tests.factories import SupplierUserFactory
from tests.orders.conftest import Shop

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def cache_down(settings):
    """The cache as settings.py makes it for REDIS_URL, pointed at a closed port."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CLOSED,
            "KEY_PREFIX": "test-redis-down",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    core.cache._outages.clear()  # each test starts with Redis believed up
    yield
    core.cache._outages.clear()


@pytest.fixture
def broker_down(settings):
    """Tasks sent to a broker on a closed port, not run in-process."""
    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture puts it back
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.broker_url = CLOSED
    celery_app.amqp._producer_pool = None  # a pool made earlier would still point at the old broker
    reset_broker_state()
    yield
    celery_app.conf.broker_url = previous
    celery_app.amqp._producer_pool = None
    reset_broker_state()


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _place_an_order(client, shop: Shop):
    buyer = shop.buyer(language="en")
    sku = shop.sku(price="12.00", stock=5)
    client.force_login(buyer)
    client.post("/orders/cart/add/", {"sku": sku.pk, "quantity": 2})
    page = client.get("/orders/checkout/")
    assert page.status_code == 200
    html = page.content.decode()
    data = {
        "action": "place",
        "address": buyer.buyer_unit.addresses.get(is_default=True).pk,
        "invoice_type": "ordinary",
        "payment_method": "official_card",
        "note": "",
        "fingerprint": _hidden(html, "fingerprint"),
        "idempotency_key": _hidden(html, "idempotency_key"),
    }
    return client.post("/orders/checkout/", data), buyer, sku


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_while_redis_is_down_is_a_success_and_emailed_later(
    migrated_data, cache_down, broker_down, client, caplog
):
    shop = Shop()
    caplog.set_level(logging.WARNING)
    response, buyer, sku = _place_an_order(client, shop)

    # (a) The order committed, so the buyer is told it succeeded.
    assert response.status_code == 302
    assert response["Location"] == "/orders/"
    order = Order.objects.get(buyer_unit=buyer.buyer_unit)
    sku.refresh_from_db()
    assert sku.stock == 3
    unsent = list(Notification.objects.filter(emailed_at__isnull=True))
    assert unsent, "placing an order notifies the supplier"
    for row in unsent:  # each failed send is logged once, with the notification it was for
        logged = [r for r in caplog.records if f"email of notification {row.pk}" in r.getMessage()]
        assert len(logged) == 1
    cache_warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(cache_warnings) == 1, "the cache outage is logged once, not once per call"
    assert mail.outbox == []

    # (c) The broker is back: the beat task emails what was left, once.
    celery_app.conf.task_always_eager = True
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    result = email_unsent_notifications.delay().get()
    assert result["sent"] == len(unsent) and result["failed"] == 0
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert len(mail.outbox) == len(unsent)
    assert order.number in " ".join(m.body + m.subject for m in mail.outbox)
    assert email_unsent_notifications.delay().get() == {"found": 0, "sent": 0, "failed": 0}
    assert len(mail.outbox) == len(unsent)


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_while_the_broker_is_down_is_sent_by_the_outbox_once(
    migrated_data, broker_down, client
):
    shop = Shop()
    response, buyer, _sku = _place_an_order(client, shop)
    assert response.status_code == 302 and response["Location"] == "/orders/"
    order = Order.objects.get(buyer_unit=buyer.buyer_unit)

    # The order's emails are outbox rows, committed with the order, that the broker did not take.
    unsent = list(Notification.objects.filter(emailed_at__isnull=True).order_by("pk"))
    rows = list(OutboxMessage.objects.order_by("pk"))
    emails = [r for r in rows if r.task == "accounts.tasks.email_notification"]
    assert unsent and [r.args for r in emails] == [[n.pk] for n in unsent]
    assert all(r.sent_at is None and r.attempts == 1 for r in rows)
    assert mail.outbox == []

    # The broker is back: the beat task drains the outbox, each email once, however often it runs.
    celery_app.conf.task_always_eager = True
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert drain_outbox.delay().get() == {"found": len(rows), "sent": len(rows), "failed": 0, "pruned": 0}
    assert drain_outbox.delay().get()["found"] == 0
    assert len(mail.outbox) == len(unsent)
    assert order.number in " ".join(m.body + m.subject for m in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_beat_task_leaves_what_may_still_be_queued_and_what_is_too_old():
    user = SupplierUserFactory()
    now = timezone.now()
    _fresh, due, stale = (Notification.objects.create(user=user, subject=s, body="b") for s in "abc")
    Notification.objects.filter(pk=due.pk).update(created_at=now - timedelta(minutes=10))
    Notification.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=30))
    assert email_unsent_notifications() == {"found": 1, "sent": 1, "failed": 0}
    assert [m.subject for m in mail.outbox] == [due.subject]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    assert "accounts.tasks.email_unsent_notifications" in {
        entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }


@pytest.mark.django_db
def test_pages_and_the_token_endpoint_work_without_the_cache(cache_down, client, caplog):
    # (b) The catalogue, the price index and the token endpoint read and write the cache.
    caplog.set_level(logging.WARNING)
    for url in ["/catalog/", "/prices/", "/catalog/", "/prices/"]:
        assert client.get(url).status_code == 200, url
    user = SupplierUserFactory()
    for _ in range(3):  # the throttle's history is in the cache: with none, it lets requests through
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": user.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1


@pytest.mark.django_db
def test_healthz_says_the_cache_is_down(cache_down, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert not body["cache"]["ok"] and "ConnectionError" in body["cache"]["error"]
    assert body["database"]["ok"]


@pytest.mark.django_db
def test_a_price_change_commits_with_the_broker_down(broker_down, django_capture_on_commit_callbacks, caplog):
    from pricing.tasks import refresh_verdicts_on_commit

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        refresh_verdicts_on_commit([3, 1, 3])
    assert len(callbacks) == 1
    assert any("re-judging SKUs [1, 3]" in r.getMessage() for r in caplog.records)


def test_production_settings_use_the_resilient_cache_with_short_timeouts():
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['OPTIONS'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**env, "REDIS_URL": CLOSED},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    backend, options = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert backend == "core.cache.ResilientRedisCache"
    assert "'socket_connect_timeout': 0.5" in options
