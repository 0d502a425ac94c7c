import re
import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from demo import DEMO_PASSWORD
from suppliers.models import SupplierStatus
from tests.factories import (
    BuyerFactory,
    CountyOfficerFactory,
    OpsFactory,
    SupplierFactory,
    SupplierUserFactory,
    eligible_county,
)

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_schema_validates():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert re.findall(r"(?:src|href)=[\"']https?://", page) == []  # nothing loaded from another host
    assert client.get("/api/schema/").status_code == 200


def test_anonymous_is_refused_by_default():
    assert _client().get("/api/v1/me/").status_code in (401, 403)
    assert _client().get("/api/v1/suppliers/").status_code in (401, 403)


def test_me_names_the_organisation():
    buyer = BuyerFactory()
    body = _client(buyer).get("/api/v1/me/").json()
    assert body["role"] == "buyer"
    assert body["organisation"] == {
        "type": "buyerunit",
        "id": buyer.buyer_unit_id,
        "name": buyer.buyer_unit.name,
    }


def test_token_authentication():
    user = SupplierUserFactory()
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}  # a token that ends
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").json()["username"] == user.username


def test_a_supplier_sees_only_itself():
    me = SupplierUserFactory()
    other = SupplierFactory()
    client = _client(me)
    ids = [row["id"] for row in client.get("/api/v1/suppliers/").json()["results"]]
    assert ids == [me.supplier_id]
    assert client.get(f"/api/v1/suppliers/{other.pk}/").status_code == 404


def test_a_county_office_sees_its_countys_suppliers():
    officer = CountyOfficerFactory()
    local = SupplierFactory(county=officer.county_office.county, status=SupplierStatus.SUBMITTED)
    SupplierFactory(county=eligible_county(7))
    ids = [row["id"] for row in _client(officer).get("/api/v1/suppliers/").json()["results"]]
    assert ids == [local.pk]


def test_buyers_cannot_list_suppliers_and_see_only_their_unit():
    buyer = BuyerFactory()
    BuyerFactory()
    client = _client(buyer)
    assert client.get("/api/v1/suppliers/").status_code == 403
    ids = [row["id"] for row in client.get("/api/v1/buyer-units/").json()["results"]]
    assert ids == [buyer.buyer_unit_id]


def test_ops_need_the_view_permission():
    SupplierFactory()
    assert _client(OpsFactory()).get("/api/v1/suppliers/").status_code == 403
    body = _client(OpsFactory(teams=["internal_control"])).get("/api/v1/suppliers/").json()
    assert body["count"] == 1


def test_division_pickers_are_public():
    client = _client()
    assert len(client.get("/api/v1/provinces/").json()) == 31
    cities = client.get("/api/v1/cities/", {"province": "42"}).json()
    assert {"code": "4228", "name": "恩施土家族苗族自治州", "province": "42"} in cities
    counties = client.get("/api/v1/counties/", {"city": "4228", "is_eligible": "true"}).json()
    assert "巴东县" in [c["name"] for c in counties["results"]]
