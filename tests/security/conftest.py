"""The matrix's world is built once per module (inside a transaction rolled back at the end) and its
files live in a directory of the module's own for as long as the module runs."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.world import build


@pytest.fixture(autouse=True)
def _isolated_media():
    """Overrides the suite's per-test media roots: the world's files are made once, for the module."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    media = override_settings(MEDIA_ROOT=root / "media", PRIVATE_MEDIA_ROOT=root / "private")
    with media, django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)
