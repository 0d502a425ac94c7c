"""Spot-check fixtures: the catalogue's listings (made through the real services)."""

import pytest

from tests.catalog.conftest import Listings


@pytest.fixture
def listings(db):
    return Listings()


@pytest.fixture
def buyer(db):
    from tests.factories import BuyerFactory

    return BuyerFactory()


@pytest.fixture
def service_ops(db):
    from tests.factories import OpsFactory

    return OpsFactory(teams=["customer_service"], first_name="客服小王")


@pytest.fixture
def control_ops(db):
    from tests.factories import OpsFactory

    return OpsFactory(teams=["internal_control"], first_name="内控老李")


@pytest.fixture
def english(monkeypatch):
    """For tests that read English: the request's language and the people they make (who read their
    notifications in their own language, ``User.language``)."""
    from django.utils import translation

    from accounts.models import User

    field = User._meta.get_field("language")
    field.__dict__.pop("_get_default", None)  # Field caches its default
    monkeypatch.setattr(field, "default", "en")
    with translation.override("en"):
        yield
    field.__dict__.pop("_get_default", None)
