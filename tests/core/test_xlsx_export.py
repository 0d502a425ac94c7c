"""core.exports.xlsx_response: the one Excel writer. Text that would run as a formula is neutralised;
numbers stay numbers; headers are translated in the request's language."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy, override
from openpyxl import load_workbook

from core.exports import XLSX_CONTENT_TYPE, xlsx_cell, xlsx_response


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x","y")'])
def test_text_starting_a_formula_gets_a_quote(text):
    assert xlsx_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "written"),
    [(-5, -5), (0.25, 0.25), (Decimal("-49.90"), -49.9), (None, None), (True, True), ("a=b", "a=b")],
)
def test_numbers_stay_numbers_and_other_text_is_as_it_is(value, written):
    assert xlsx_cell(value) == written


def test_the_file_holds_the_header_and_rows_with_their_types():
    when = datetime.datetime(2026, 7, 22, 1, 30, tzinfo=datetime.UTC)
    response = xlsx_response(
        filename="核查.xlsx",
        headers=["名称", "概率", "日期", "时间"],
        rows=[["=cmd()", Decimal("0.125"), datetime.date(2026, 9, 15), when], ["脐橙", -3, None, None]],
    )
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%A0%B8%E6%9F%A5.xlsx" in response["Content-Disposition"]
    sheet = _sheet(response)
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["名称", "概率", "日期", "时间"]
    assert rows[1] == [
        "'=cmd()",
        0.125,
        datetime.datetime(2026, 9, 15, tzinfo=datetime.UTC).replace(tzinfo=None),
        timezone.localtime(when).replace(tzinfo=None),
    ]
    assert rows[2] == ["脐橙", -3, None, None]
    assert sheet.cell(2, 2).data_type == "n"
    assert sheet.cell(2, 1).data_type == "s"  # written as text, not as a formula
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 1).font.bold


def test_headers_are_translated_in_the_current_language():
    with override("zh-hans"):
        response = xlsx_response(filename="x.xlsx", headers=[gettext_lazy("Quantity")], rows=[])
    assert [c.value for c in _sheet(response)[1]] == ["数量"]
