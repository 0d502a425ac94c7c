"""Numbers a supplier types as price evidence (issue 17, defect 5): bounded as their PriceEvidence
columns by core.numbers, on the page, in the API and in the service, with a message on the field."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from rest_framework.test import APIClient

from pricing import services
from pricing.models import PriceEvidence
from tests.catalog.conftest import Listings
from tests.pricing.test_evidence import screenshot
from tests.pricing.test_supplier_pages import _form, _url

pytestmark = pytest.mark.django_db

UNIT_PRICE_TOO_LARGE = (
    "For this quantity the unit price would be above ¥9,999,999,999.99: check the price and the net quantity."
)


@pytest.fixture
def listings(db):
    return Listings()


@pytest.fixture
def sku(listings):
    """5 kg of oranges at ¥49.90 (a draft product)."""
    return listings.product(image=False, skus=[listings.sku()]).skus.get()


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"pack_count": "2147483648"}, "pack_count", "Enter a number no more than 2147483647."),
        ({"observed_price": "1e5"}, "observed_price", "Enter a number in plain digits, e.g. 49.90."),
        ({"observed_price": "100000000"}, "observed_price", "Enter a number no more than 99999999.99."),
        ({"net_quantity": "NaN"}, "net_quantity", "Enter a number in plain digits, e.g. 49.90."),
        (
            {"observed_price": "99999999.99", "net_quantity": "0.001", "unit": "g"},
            "observed_price",
            UNIT_PRICE_TOO_LARGE,
        ),
    ],
)
def test_the_evidence_form_refuses_numbers_its_columns_cannot_hold(
    client, listings, sku, overrides, field, message
):
    # Before the fix pack_count 2^31 was stored on SQLite (a 500 on PostgreSQL) and the unit price
    # overflowed PriceEvidence.observed_unit_price while saving: a 500.
    client.force_login(listings.user)
    response = client.post(_url(sku), _form(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert not PriceEvidence.objects.exists()


def test_the_service_refuses_them_whoever_calls_it(listings, sku):
    kwargs = {
        "url": "https://item.jd.com/100012345678.html",
        "match": "same",
        "observed_price": Decimal("22.00"),
        "spec": "5斤装",
        "net_quantity": Decimal("2.5"),
        "unit": "kg",
        "pack_count": 2**31,
        "seen_on": timezone.localdate() - datetime.timedelta(days=2),
        "screenshot": screenshot(),
    }
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.evidence_add(sku=sku, by=listings.user, **kwargs)
    assert info.value.message_dict == {"pack_count": ["Enter a number no more than 2147483647."]}
    assert not PriceEvidence.objects.exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"pack_count": str(2**31)}, "pack_count"),
        ({"observed_price": "1e5"}, "observed_price"),
        ({"observed_price": "99999999.99", "net_quantity": "0.001", "unit": "g"}, "observed_price"),
    ],
)
def test_the_evidence_api_refuses_them_with_a_400(listings, sku, overrides, field):
    api = APIClient()
    api.force_authenticate(listings.user)
    payload = {
        "url": "https://item.jd.com/1.html",
        "match": "same",
        "observed_price": "48.00",
        "spec": "5kg",
        "net_quantity": "5",
        "unit": "kg",
        "pack_count": 1,
        "seen_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "screenshot": screenshot(colour=(9, 8, 7)),
        **overrides,
    }
    response = api.post(f"/api/v1/supplier/skus/{sku.pk}/evidence/", payload, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not PriceEvidence.objects.exists()
