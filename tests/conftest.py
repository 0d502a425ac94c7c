import copy
import hashlib
import importlib
import os
import uuid
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import hashers
from django.utils import translation

from marketplace.celery import app as celery_app
from tests import services

# PBKDF2 at Django's production cost (1,000,000 rounds, about a second a hash on a busy machine) was most of
# the demo tests' time: every seeded or factory-made user hashes a password. Tests only need passwords to
# round-trip, so they hash with MD5. Set here, on the process's settings, it reaches everything the tests
# run in this process: seed_demo, each xdist worker (each loads this conftest) and the browser tests' live
# server thread.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    _create_db_when_migrations_changed(config)
    _require_services()


def _require_services():
    if not services.REQUIRE_SERVICES:
        return
    # In CI every service is real: refuse to run the suite on the SQLite/locmem fallbacks.
    if not services.on_postgres():
        raise pytest.UsageError("REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL.")
    if not settings.REDIS_URL:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but REDIS_URL is not set.")


# --reuse-db keeps the test database between runs and pytest-django then skips the migrations, so a kept
# database made before a migration changed would be tested with the old schema. Each kept database's
# migrations fingerprint is stored in .pytest_cache when it is made; when today's differs (or is unknown),
# --create-db is switched on and the database is made afresh.


def _schema_fingerprint() -> str:
    """A hash of every installed app's migration files and the Django version."""
    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        for path in sorted(Path(app.path, "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _schema_cache_key() -> str:
    database = settings.DATABASES["default"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # each worker has a database of its own
    name = database.get("TEST", {}).get("NAME") or database["NAME"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    return f"fengshou/test-db-schema/{engine}/{Path(str(name)).name}/{worker}"


_SCHEMA = pytest.StashKey[tuple[str, str]]()


def _create_db_when_migrations_changed(config) -> None:
    if not config.getoption("reuse_db", False):
        return
    # Taken before the test database is set up: Django then points settings at the test database's name.
    config.stash[_SCHEMA] = key, fingerprint = _schema_cache_key(), _schema_fingerprint()
    cache = getattr(config, "cache", None)
    if cache is None or cache.get(key, None) != fingerprint:
        config.option.create_db = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, request):
    """pytest-django's database setup, then a note of the schema the kept database now has."""
    cache = getattr(request.config, "cache", None)
    if cache is not None and _SCHEMA in request.config.stash:
        cache.set(*request.config.stash[_SCHEMA])
    yield


@pytest.fixture(autouse=True)
def _eager_celery():
    """Run tasks in-process in ordinary tests; tests/marketplace/test_celery.py uses a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language. A request activates the language it asked for in this
    thread (marketplace.middleware) and nothing resets it, so a test that chose English (the language
    cookie) would leave the next test on the same worker reading English messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


@pytest.fixture
def migrated_data(transactional_db):
    """For tests that commit: a flush between transactional tests empties what the migrations loaded
    (the county registry, the category tree, the recognised shops), so load it again
    (serialized_rollback would clash with the ops groups that post_migrate recreates after each flush)."""
    from catalog.category_tree import load_tree
    from catalog.models import Category
    from regions.divisions import load_divisions
    from regions.models import City, County, Province

    if not Province.objects.exists():
        load_divisions(Province, City, County, apply_eligibility=True)
    load_tree(Category)  # idempotent by slug
    importlib.import_module("pricing.migrations.0002_shops").load(apps, None)  # idempotent by code
