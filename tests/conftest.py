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
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
