"""Configuration from the environment: production is secure and refuses to start half-configured."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "q7!vH2#pL9@xR4$wZ8^nT1&bK6*mY3(cJ5)dF0_gS-ePuA+iWoXrEtyNhBkDqVjC",
    "DJANGO_ALLOWED_HOSTS": "fengshou.example.cn",
    "DATABASE_URL": "postgres://fengshou@db.internal:5432/fengshou",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_the_deploy_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_names_the_variable():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_a_database_names_the_variable():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_a_malformed_redis_url_names_the_variable():
    result = _manage("check", env={"REDIS_URL": "localhost:6379"})
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_a_malformed_database_url_names_the_variable():
    result = _manage("check", env={"DATABASE_URL": "not-a-url"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = _manage("check", env={"DJANGO_ENV": "prod"})
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


def test_development_defaults_need_nothing_configured():
    result = _manage("check", env={})
    assert result.returncode == 0, result.stderr
