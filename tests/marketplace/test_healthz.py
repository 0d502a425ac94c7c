import pytest

from tests.services import require_postgres, require_redis

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"] and body["broker"]["ok"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_on_the_real_services(client, settings):
    require_postgres()
    require_redis()
    from marketplace.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    body = client.get("/healthz").json()
    assert body["database"]["vendor"] == "postgresql"
    assert body["cache"]["backend"] == "ResilientRedisCache"
    assert body["broker"]["mode"] == "broker" and body["broker"]["ok"]


def test_healthz_says_which_part_is_down(client, settings):
    from marketplace.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] and not body["broker"]["ok"]
    assert "error" in body["broker"]
