"""Spot-check fixtures: the catalogue's listings (made through the real services)."""

import pytest

from tests.catalog.conftest import Listings


@pytest.fixture
def listings(db):
    return Listings()
