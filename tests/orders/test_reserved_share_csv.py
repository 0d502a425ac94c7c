"""The ops reserved-share CSV goes through core.exports: a unit's name cannot run as a formula."""

import csv
import io

import pytest

from tests.factories import OpsFactory
from tests.orders.conftest import Shop, completed


@pytest.fixture
def shop(db):
    return Shop()


def test_reserved_share_csv_neutralises_a_formula_in_a_unit_name(client, shop):
    buyer = shop.buyer(buyer_unit__name="=cmd|' /C calc'!A0")
    completed(shop, shop.order(buyer, quantity=1, price="300.00"))
    client.force_login(OpsFactory(teams=["data_ops"]))

    response = client.get("/ops/reserved-share.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    (row,) = [r for r in rows[1:] if r[0].endswith("calc'!A0")]
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[8] == "300.00"  # spent: a number, as it was
