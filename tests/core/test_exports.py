"""core.exports: the one CSV writer. Text that would run as a formula is neutralised; numbers stay."""

import csv
import io
from decimal import Decimal

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy, override

from core.exports import cell, csv_lines, csv_response, fixed


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "-", "="],
)
def test_text_starting_a_formula_gets_a_quote(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "秭归脐橙", "5kg/箱", "a=b", " =1", "'quoted", "1e9", "100"])
def test_other_text_is_written_as_it_is(text):
    assert cell(text) == text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (-5, "-5"),
        (0, "0"),
        (Decimal("-49.90"), "-49.90"),
        (-1.5, "-1.5"),
        (fixed(-1.23456, 4), "-1.2346"),
        (fixed(2.5, 4), "2.5000"),
        (fixed(Decimal("49.9"), 2), "49.90"),
        (None, ""),
        (True, "true"),
        (False, "false"),
    ],
)
def test_numbers_the_code_writes_stay_numbers(value, written):
    assert cell(value) == written


def test_fixed_reads_as_the_format_it_replaces():
    for value in (-0.00001, 0.0, 123456789.123456, -99.99995, 1e20):
        assert str(fixed(value, 4)) == f"{value:.4f}"


def test_lines_have_a_bom_crlf_and_quoting():
    lines = list(csv_lines(["name", "note"], [["=cmd", 'say "hi", then\nleave'], [-3, None]]))
    assert lines[0] == "\ufeffname,note\r\n"
    text = "".join(lines)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows == [["name", "note"], ["'=cmd", 'say "hi", then\nleave'], ["-3", ""]]


def test_response_is_an_attachment_in_utf8_with_a_bom():
    response = csv_response(filename="价格.csv", header=["名称"], rows=[["脐橙"]])
    assert isinstance(response, HttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BB%B7%E6%A0%BC.csv" in response["Content-Disposition"]
    assert response.content == "\ufeff名称\r\n脐橙\r\n".encode()


def test_a_streamed_response_reads_the_rows_only_as_it_is_sent():
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [n, f"=row{n}"]

    with override("zh-hans"):
        response = csv_response(
            filename="big.csv", header=[gettext_lazy("Quantity")], rows=rows(), stream=True
        )
    assert isinstance(response, StreamingHttpResponse)
    assert read == []
    assert response["Content-Disposition"] == 'attachment; filename="big.csv"'
    body = response.getvalue()
    assert read == [0, 1, 2]
    # The header was translated in the request's language, not when it was sent.
    assert body == "\ufeff数量\r\n0,'=row0\r\n1,'=row1\r\n2,'=row2\r\n".encode()
