"""The price index CSVs go through core.exports: a category name cannot run as a formula, and a
falling index stays a negative number."""

import csv
import datetime
import io

import pytest

from catalog.models import Category
from catalog.selectors import clear_category_cache
from pricing.published_index import build_index
from tests.pricing.test_index_build import Market

pytestmark = pytest.mark.django_db


def test_index_csv_neutralises_a_formula_name_and_keeps_a_negative_change_a_number(client):
    market = Market()
    skus = market.listed("citrus", ["10", "20", "30", "40", "50"], on=datetime.date(2025, 12, 10))
    market.reprice(skus[0], "9", on=datetime.date(2026, 1, 12))
    market.reprice(skus[1], "18", on=datetime.date(2026, 1, 12))
    build_index(today=datetime.date(2026, 1, 20))
    Category.objects.filter(slug="citrus").update(name="=HYPERLINK(1)")
    clear_category_cache()

    response = client.get("/prices/citrus.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    national = [r for r in rows[1:] if r[1] == ""]
    assert {r[0] for r in rows[1:]} == {"'=HYPERLINK(1)"}
    assert national[-1][3:6] == ["2026-01-01", f"{100 * 0.9**0.4:.4f}", f"{(0.9**0.4 - 1) * 100:.4f}"]
    assert national[-1][5].startswith("-4.")  # 0.9^(2/5) = 0.9587: written as a number, no quote
