"""Order pages, export and API given input no form would send: a NUL byte in an order number or a
filter, dates at the ends of the calendar. Each answers a 4xx (or the page with the field marked
wrong) and nothing is read with it.

A NUL byte is checked by what reaches the database (tests/nul.py): PostgreSQL refuses it."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from orders import selectors
from tests.nul import NUL, nul_sent_to_the_database


def _client(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_authenticate(user)
    return client


def _get(client, path, data=None):
    """The response, and whether any query carried a NUL byte to the database."""
    with nul_sent_to_the_database() as sent:
        response = client.get(path, data or {})
    return response, bool(sent)


# --- A NUL byte in an order number ----------------------------------------------------------------


def test_an_order_number_with_a_nul_byte_is_not_found_on_the_pages(client, shop):
    order = shop.order()
    bad = f"{order.number}%00"
    response, sent = _get(_client(client, order.placed_by), f"/orders/{bad}/")
    assert (response.status_code, sent) == (404, False)
    response, sent = _get(_client(client, shop.user2), f"/suppliers/orders/{bad}/")
    assert (response.status_code, sent) == (404, False)
    # The real number still opens.
    assert client.get(f"/suppliers/orders/{order.number}/").status_code == 200


def test_an_order_number_with_a_nul_byte_is_not_found_in_the_api(shop):
    order = shop.order()
    bad = f"{order.number}%00"
    response, sent = _get(_api(order.placed_by), f"/api/v1/orders/{bad}/")
    assert (response.status_code, sent) == (404, False)
    supplier = _api(shop.user2)
    response, sent = _get(supplier, f"/api/v1/supplier/orders/{bad}/")
    assert (response.status_code, sent) == (404, False)
    response, sent = _get(supplier, f"/api/v1/supplier/orders/{bad}/confirm/")
    assert response.status_code in (404, 405) and not sent


@pytest.mark.parametrize("field", ["number", "buyer"])
def test_a_nul_byte_in_the_supplier_api_filters_is_a_400_on_its_field(shop, field):
    shop.order()
    response, sent = _get(_api(shop.user2), "/api/v1/supplier/orders/", {field: f"FS{NUL}"})
    assert (response.status_code, sent) == (400, False)
    assert list(response.json()) == [field]


def test_a_nul_byte_in_the_supplier_page_filters_marks_the_field(client, shop):
    order = shop.order()
    response, sent = _get(_client(client, shop.user2), "/suppliers/orders/", {"number": f"FS{NUL}"})
    assert (response.status_code, sent) == (200, False)
    assert "number" in response.context["form"].errors
    assert [o.number for o in response.context["orders"]] == [order.number]  # the filter is ignored


def test_the_selectors_never_query_with_an_impossible_number(shop, django_assert_num_queries):
    order = shop.order()
    with django_assert_num_queries(0):
        assert selectors.order_detail(user=order.placed_by, number=f"FS{NUL}") is None
        assert selectors.order_detail(user=order.placed_by, number="F" * 33) is None
        assert selectors.supplier_order_detail(supplier_id=shop.supplier2.pk, number=f"FS{NUL}") is None
    assert selectors.order_detail(user=order.placed_by, number=order.number) == order


# --- Dates at the ends of the calendar ------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"placed_to": "9999-12-31"},
        {"placed_from": "9999-12-31"},
        {"placed_from": "0001-01-01"},
        {"placed_to": "0001-01-01"},
        {"placed_from": "0001-01-01", "placed_to": "9999-12-31"},
    ],
)
def test_dates_out_of_range_are_marked_on_the_list_and_ignored_by_the_export(client, shop, params):
    order = shop.order()
    client = _client(client, shop.user2)
    page = client.get("/suppliers/orders/", params)
    assert page.status_code == 200
    assert set(page.context["form"].errors) == set(params)
    assert [o.number for o in page.context["orders"]] == [order.number]
    export = client.get("/suppliers/orders/export.csv", params)
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert order.number in body


def test_the_selector_takes_any_date_the_calendar_has(shop):
    import datetime

    order = shop.order()
    widest = selectors.SupplierOrderFilter(placed_from=datetime.date.min, placed_to=datetime.date.max)
    assert list(selectors.supplier_orders(supplier_id=shop.supplier2.pk, filters=widest)) == [order]
    counts = selectors.supplier_order_counts(supplier_id=shop.supplier2.pk, filters=widest)
    assert sum(counts.values()) == 1


def test_empty_text_filters_in_the_supplier_api_filter_nothing(shop):
    order = shop.order()
    body = _api(shop.user2).get("/api/v1/supplier/orders/", {"number": "", "buyer": " "}).json()
    assert [o["number"] for o in body["results"]] == [order.number]
