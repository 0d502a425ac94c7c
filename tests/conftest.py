import copy
import os
import uuid

import pytest
from django.conf import settings

from marketplace.celery import app as celery_app
from tests import services


def pytest_configure(config):
    if not services.REQUIRE_SERVICES:
        return
    # In CI every service is real: refuse to run the suite on the SQLite/locmem fallbacks.
    if not services.on_postgres():
        raise pytest.UsageError("REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL.")
    if not settings.REDIS_URL:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but REDIS_URL is not set.")


@pytest.fixture(autouse=True)
def _eager_celery():
    """Run tasks in-process in ordinary tests; tests/marketplace/test_celery.py uses a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache of its own. Parallel workers share one Redis and each
    has its own test database, so a flush would reach into the other worker's test: give every test
    a key prefix of its own instead (changing CACHES resets Django's cache handlers)."""
    caches = copy.deepcopy(settings.CACHES)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    caches["default"]["KEY_PREFIX"] = f"test-{worker}-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
