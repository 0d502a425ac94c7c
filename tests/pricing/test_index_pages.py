"""The public price index pages, CSV downloads and API."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from catalog.models import Category
from catalog.selectors import clear_category_cache
from pricing.models import PriceIndexPoint
from pricing.published_index import build_index
from pricing.selectors import category_series
from tests.pricing.test_index_build import Market

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 20)


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so texts are checked against their msgids whatever is translated."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def built(db):
    """Citrus: five SKUs since December 2025 in Hubei, two of them dearer in January."""
    market = Market()
    skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(skus[0], "11", on=datetime.date(2026, 1, 12))
    market.reprice(skus[1], "22", on=datetime.date(2026, 1, 12))
    build_index(today=TODAY)
    build_index(frequency="week", today=TODAY)
    return skus[0].product


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Pages ----------------------------------------------------------------------------------------------


def test_overview_is_public(client, built):
    response = client.get("/prices/")
    assert response.status_code == 200
    page = response.content.decode()
    for root in Category.objects.filter(parent__isnull=True):
        assert f'data-testid="index-root-{root.slug}"' in page
    citrus = page.split('data-testid="index-row-citrus"')[1].split("</tr>")[0]
    jan = category_series(Category.objects.get(slug="citrus"))[-1]
    assert f"{jan.level:.1f}" in citrus and "+3.9 %" in citrus  # 1.1^(2/5) = 1.0389
    assert 'class="sparkline"' in citrus and citrus.count("<circle") == 2  # two lone published points
    kiwi = page.split('data-testid="index-row-kiwi"')[1].split("</tr>")[0]
    assert "—" in kiwi and "5 matched items" in kiwi  # nothing matched: not published
    method = page.split('data-testid="method"')[1]
    assert "Jevons" in method and "Carli" in method and "at least 5 matched items" in method
    assert 'href="/prices/"' in page  # in the top navigation


def test_category_page_shows_the_chart_and_the_table(client, built):
    response = client.get("/prices/citrus/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = page.split('<svg class="index-chart"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "100 = first period" in svg
    # the base and January are published, December in between is not: two dots, no line
    assert svg.count("<circle") == 2 and "<polyline" not in svg
    table = page.split('data-testid="index-table"')[1].split("</table>")[0]
    assert table.count("<tr") == 1 + 13  # header and 13 months, newest first
    newest = table.split("<tbody>")[1].split("</tr>")[0]
    assert "2026-01" in newest and "+3.9 %" in newest
    november = table.split("2025-11")[1].split("</tr>")[0]
    assert "—" in november and "fewer than 5 matched items" in november
    assert 'href="/prices/citrus.csv?frequency=month"' in page
    assert 'data-testid="province-form"' in page and "湖北" in page


def test_weekly_toggle_and_province_selector(client, built):
    week = client.get("/prices/citrus/?frequency=week").content.decode()
    assert week.split('data-testid="index-table"')[1].count("<tr") == 1 + 27
    assert 'data-testid="frequency-current">Weekly' in week
    hubei = built.origin_province
    page = client.get(f"/prices/citrus/?province={hubei.code}")
    assert page.status_code == 200 and hubei.name in page.content.decode()
    assert client.get("/prices/citrus/?province=99").status_code == 404


def test_unknown_category_is_404(client, built):
    assert client.get("/prices/no-such-thing/").status_code == 404
    assert client.get("/prices/no-such-thing.csv").status_code == 404


def test_a_root_page_lists_its_sub_categories(client, built):
    page = client.get("/prices/fruit/").content.decode()
    assert 'href="/prices/citrus/"' in page and 'href="/prices/kiwi/"' in page


@translation.override("en")
def test_the_embeddable_chart_links_to_the_category_page(built):
    category = Category.objects.get(slug="citrus")
    html = render_to_string(
        "pricing/_index_chart.html", {"category": category, "points": category_series(category)}
    )
    assert 'class="index-chart"' in html and 'href="/prices/citrus/"' in html
    empty = Category.objects.get(slug="kiwi")
    html = render_to_string(
        "pricing/_index_chart.html", {"category": empty, "points": category_series(empty)}
    )
    assert "index-chart-empty" in html and "<svg" not in html


# --- CSV --------------------------------------------------------------------------------------------------


def test_category_csv(client, built):
    response = client.get("/prices/citrus.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = _rows(response)
    assert rows[0] == [
        "category",
        "province",
        "frequency",
        "period_start",
        "level",
        "change_pct",
        "matched",
        "dropped",
        "published",
    ]
    national = [r for r in rows[1:] if r[1] == ""]
    provincial = [r for r in rows[1:] if r[1] != ""]
    assert len(national) == len(provincial) == 13
    assert national[0] == ["柑橘橙柚", "", "month", "2025-01-01", "100.0000", "", "0", "0", "true"]
    assert national[1][4:] == ["", "", "0", "0", "false"]  # unpublished: no level
    assert national[-1][3:] == [
        "2026-01-01",
        f"{100 * 1.1**0.4:.4f}",
        f"{(1.1**0.4 - 1) * 100:.4f}",
        "5",
        "0",
        "true",
    ]
    assert provincial[0][1] == built.origin_province.name


def test_all_categories_csv(client, built):
    rows = _rows(client.get("/prices/index.csv?frequency=week"))
    assert {r[2] for r in rows[1:]} == {"week"}
    names = {r[0] for r in rows[1:]}
    assert {"柑橘橙柚", "水果", "大米"} <= names
    assert len(rows) - 1 == PriceIndexPoint.objects.filter(frequency="week").count()


# --- Queries -------------------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    client.get(url)  # warm the category tree cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_categories_and_points(n: int) -> None:
    """n more leaves under fruit, each with a year of points in several provinces."""
    fruit = Category.objects.get(slug="fruit")
    now = timezone.now()
    rows = []
    provinces = [
        *set(PriceIndexPoint.objects.exclude(province=None).values_list("province_id", flat=True)),
        None,
    ]
    for i in range(n):
        leaf = Category.objects.create(
            parent=fruit, name=f"测试水果{i}", slug=f"test-fruit-{i}", position=50 + i
        )
        for province_id in provinces:
            for m in range(13):
                rows.append(
                    PriceIndexPoint(
                        category=leaf,
                        province_id=province_id,
                        frequency="month",
                        period_start=datetime.date(2025, 1 + m, 1) if m < 12 else datetime.date(2026, 1, 1),
                        level=100 + m,
                        link=1.01 if m else None,
                        matched=6,
                        published=True,
                        computed_at=now,
                    )
                )
    PriceIndexPoint.objects.bulk_create(rows)
    clear_category_cache()


@pytest.mark.parametrize(
    "url", ["/prices/", "/prices/fruit/", "/prices/citrus/?frequency=week", "/prices/index.csv"]
)
def test_pages_run_a_constant_number_of_queries(client, built, url):
    small = _count(client, url)
    _more_categories_and_points(8)
    assert _count(client, url) == small


# --- API ------------------------------------------------------------------------------------------------------


def test_api_series_is_public(built):
    response = APIClient().get("/api/v1/pricing/index/", {"category": "citrus"})
    assert response.status_code == 200
    body = response.json()
    assert (body["category"], body["frequency"], body["province"], body["min_matched"]) == (
        "citrus",
        "month",
        None,
        5,
    )
    points = body["points"]
    assert len(points) == 13 and points[0] == {
        "period_start": "2025-01-01",
        "level": 100.0,
        "change": None,
        "matched": 0,
        "dropped": 0,
        "published": True,
    }
    assert points[1]["published"] is False and points[1]["level"] is None and points[1]["change"] is None
    assert points[-1]["level"] == pytest.approx(100 * 1.1**0.4, abs=1e-4)
    assert points[-1]["change"] == pytest.approx((1.1**0.4 - 1) * 100, abs=1e-4)
    assert points[-1]["matched"] == 5


def test_api_weekly_and_province(built):
    client = APIClient()
    code = built.origin_province.code
    body = client.get(
        "/api/v1/pricing/index/", {"category": "citrus", "frequency": "week", "province": code}
    ).json()
    assert body["province"] == code and len(body["points"]) == 27
    assert client.get("/api/v1/pricing/index/", {"category": "nope"}).status_code == 404
    assert client.get("/api/v1/pricing/index/", {"category": "citrus", "province": "99"}).status_code == 404
    assert client.get("/api/v1/pricing/index/", {"category": "citrus", "frequency": "day"}).status_code == 400
    assert client.get("/api/v1/pricing/index/").status_code == 400
