"""Hostile GET query parameters on the order lists (buyer and supplier; page, CSV export and API)
and the region pickers (pages and API): NUL bytes, RTL marks, emoji, very long strings, huge and
negative numbers, odd dates. Whatever comes, the answer is never a 5xx and no NUL byte reaches the
database (PostgreSQL refuses one: tests/nul.py)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.nul import nul_sent_to_the_database
from tests.orders.conftest import Shop

ODD = [
    "",
    " ",
    "\x00",
    "1\x00",
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202e2026-01-01",  # RIGHT-TO-LEFT OVERRIDE
    "🍊",
    "１２",  # full-width digits
    "-1",
    "0",
    "1e999999",
    "NaN",
    "Infinity",
    str(2**63),
    "9" * 300,
    "a" * 5000,
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "-2026-01-01",
    "2026-1-1",
]

values = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=30),  # any unicode, NUL and surrogate-free
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet=st.sampled_from("\x00\u200f\u202e🍊9a-"), min_size=250, max_size=400),
)

# (who asks, path, its query parameters)
TARGETS = [
    ("buyer", "/orders/", ["status", "page", "placed_from", "placed_to"]),
    ("buyer", "/orders/regions/cities/", ["new-province"]),
    ("buyer", "/orders/regions/counties/", ["new-city"]),
    ("buyer", "/api/v1/orders/", ["status", "page", "placed_from", "placed_to"]),
    ("supplier", "/suppliers/orders/", ["status", "page", "placed_from", "placed_to", "buyer", "number"]),
    ("supplier", "/suppliers/orders/export.csv", ["status", "placed_from", "placed_to", "buyer", "number"]),
    ("supplier", "/api/v1/supplier/orders/", ["status", "page", "buyer", "number"]),
    (None, "/suppliers/regions/cities/", ["province"]),
    (None, "/suppliers/regions/counties/", ["city"]),
    (None, "/api/v1/provinces/", ["page"]),
    (None, "/api/v1/cities/", ["province", "page"]),
    (None, "/api/v1/counties/", ["province", "city", "is_eligible", "page"]),
]


def queries(names: list[str]):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, values)).filter(bool)


@pytest.fixture
def people(db):
    shop = Shop()
    order = shop.order()
    return {"buyer": order.placed_by, "supplier": shop.user2, None: None}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("who", "path", "names"), TARGETS, ids=[t[1] for t in TARGETS])
def test_no_query_parameter_makes_a_server_error(people, who, path, names):
    client = Client(raise_request_exception=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    if people[who] is not None:
        client.force_login(people[who])

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(query=queries(names))
    def check(query):
        with nul_sent_to_the_database() as sent:
            response = client.get(path, query)
            _body(response)  # a streamed export reads the database only now
        assert response.status_code < 500, (query, response.status_code)
        assert sent == [], query

    check()
