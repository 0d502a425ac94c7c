"""The province → city → county pickers, given what no picker sends: an id that is not a number,
too large for its column, negative, or holding a NUL byte. Each is a 400 and nothing is looked up;
an empty choice is an empty list, and a real one lists its divisions."""

import pytest
from rest_framework.test import APIClient

from regions.models import City, County, Province
from tests.factories import BuyerFactory
from tests.nul import nul_sent_to_the_database

pytestmark = pytest.mark.django_db

HUBEI = "42"
ENSHI = "4228"  # 恩施土家族苗族自治州
BAD_IDS = ["abc", "1e3", "4.2", "-1", "99999999999999999999", "１２", "1\x00", "\u200f1", "🍊", "9" * 300]

# (path, the parameter that names the parent, whether the buyer's picker needs a signed-in buyer)
PICKERS = [
    ("/suppliers/regions/cities/", "province", False),
    ("/suppliers/regions/counties/", "city", False),
    ("/orders/regions/cities/", "new-province", True),
    ("/orders/regions/counties/", "new-city", True),
]


def _client(client, buyer: bool):
    if buyer:
        client.force_login(BuyerFactory())
    return client


@pytest.mark.parametrize(("path", "param", "buyer"), PICKERS)
@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_is_not_an_id_is_a_400(client, path, param, buyer, bad):
    response = _client(client, buyer).get(path, {param: bad})
    assert response.status_code == 400
    assert response.content.decode().count("<option") == 1  # the placeholder only


@pytest.mark.parametrize(("path", "param", "buyer"), PICKERS)
def test_no_choice_lists_nothing_and_a_choice_lists_its_divisions(client, path, param, buyer):
    client = _client(client, buyer)
    empty = client.get(path, {param: ""})
    assert empty.status_code == 200 and empty.content.decode().count("<option") == 1
    assert client.get(path).status_code == 200
    parent = Province.objects.get(code=HUBEI) if "cities" in path else City.objects.get(code=ENSHI)
    html = client.get(path, {param: parent.pk}).content.decode()
    child = "恩施土家族苗族自治州" if "cities" in path else "巴东县"
    assert child in html
    unknown = client.get(path, {param: 2**31 + 7})
    assert unknown.status_code == 200 and unknown.content.decode().count("<option") == 1


def test_the_api_answers_404_for_a_code_that_cannot_be_one():
    client = APIClient()
    for path in ("provinces", "cities", "counties"):
        for code in ("4%00", "abc", "9" * 300):
            with nul_sent_to_the_database() as sent:
                assert client.get(f"/api/v1/{path}/{code}/").status_code == 404
            assert sent == []
    assert client.get("/api/v1/provinces/42/").json()["name"] == "湖北省"
    assert client.get(f"/api/v1/cities/{ENSHI}/").json()["province"] == HUBEI
    assert client.get("/api/v1/counties/422823/").json()["name"] == "巴东县"
    assert County.objects.filter(code="422823").exists()


@pytest.mark.parametrize("params", [{"province": "4\x00"}, {"city": "\x00"}])
def test_the_api_filters_refuse_a_nul_byte(params):
    with nul_sent_to_the_database() as sent:
        assert APIClient().get("/api/v1/counties/", params).status_code == 400
    assert sent == []
