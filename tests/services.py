"""Whether the real services a test needs are here: skip without them, fail under REQUIRE_SERVICES=1."""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}
CHROMIUM_CANDIDATES = [
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
]


def need(available: bool, reason: str) -> None:
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_reachable() -> bool:
    url = settings.REDIS_URL
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def require_postgres() -> None:
    need(on_postgres(), "this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


def require_redis() -> None:
    need(bool(settings.REDIS_URL), "this test needs Redis (set REDIS_URL=redis://...)")
    need(redis_reachable(), f"Redis at {settings.REDIS_URL} does not answer")


def require_chromium() -> str:
    path = chromium_path()
    need(path is not None, "this test needs Chromium (apt-get install chromium) or CHROMIUM_PATH")
    return path
