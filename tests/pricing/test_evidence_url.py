"""An evidence link urllib cannot even split (an unclosed IPv6 bracket, a host that is no address,
a full-width slash in the host) is refused on the link, on the page and in the API, and nothing is
stored: it used to escape ``urlsplit`` as a ValueError (500)."""

import pytest
from rest_framework.test import APIClient

from pricing import services
from pricing.models import PriceEvidence
from tests.catalog.conftest import Listings
from tests.pricing.test_evidence import screenshot
from tests.pricing.test_supplier_pages import _form, _url

pytestmark = pytest.mark.django_db

UNSPLITTABLE = ["http://[::1", "https://[", "http://a]b/", "http://[notipv6]/x", "https://item.jd.com\uff0fx"]


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def listings(db):
    return Listings()


@pytest.fixture
def sku(listings):
    return listings.product(image=False, skus=[listings.sku()]).skus.get()


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_no_shop_owns_a_link_that_cannot_be_split(listings, url):
    assert services.shop_for_url(url) is None


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_the_price_page_marks_the_link(client, listings, sku, url):
    client.force_login(listings.user)
    response = client.post(_url(sku), _form(url=url))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["url"] and "Enter the full link" in errors["url"][0]
    assert not PriceEvidence.objects.exists()


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_the_api_answers_400_on_the_link(listings, sku, url):
    client = APIClient()
    client.force_authenticate(listings.user)
    response = client.post(
        f"/api/v1/supplier/skus/{sku.pk}/evidence/",
        {
            "url": url,
            "match": "same",
            "observed_price": "22.00",
            "spec": "5斤装",
            "net_quantity": "2.5",
            "unit": "kg",
            "pack_count": 1,
            "seen_on": _form()["seen_on"],
            "screenshot": screenshot(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    assert not PriceEvidence.objects.exists()
