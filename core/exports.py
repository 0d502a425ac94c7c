"""The one CSV writer (and the one Excel writer) for every download a spreadsheet program may open.

- **Formula injection** (OWASP "CSV Injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is run as a formula by Excel, LibreOffice and Numbers, so such a cell is
  written with a single quote in front (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``). Only text is
  neutralised: numbers the code writes itself (``int``, ``Decimal``, ``float``, and ``fixed()`` for a
  set number of places) stay numbers, a negative one included. Separators and quotes inside a cell are
  quoted by the ``csv`` module.
- **Encoding:** UTF-8 with a byte-order mark, so that Excel shows the Chinese names; lines end in CRLF
  (RFC 4180).
- **Audit:** every export a request asks for is one ``export`` entry in the audit log (``core.audit``):
  who took which file, from where. (Outside a request, e.g. a file built in a shell, there is nobody to
  name and nothing is recorded.)
- **Size:** ``csv_response(..., stream=True)`` writes the rows as they are read
  (``StreamingHttpResponse``), for exports that may be large; pass a queryset's ``.iterator()``.
- **Excel:** ``xlsx_response(filename=, headers=, rows=)`` writes one sheet with openpyxl: the same guard
  for text cells, numbers as numbers (``Decimal`` too), dates and times as dates (aware times in local
  time, as Excel has no time zones), a bold, frozen header row.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font

from core.audit import Kind, audit, current_request

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fixed(value: Decimal | float | int, places: int) -> Decimal:
    """``value`` written with exactly ``places`` decimals (as ``f"{value:.{places}f}"`` would), kept a
    number so that a negative one is not taken for a formula."""
    return Decimal(format(value, f".{places}f"))


def cell(value) -> str:
    """One value as the text of a cell: empty for None, ``true``/``false`` for a bool, a number as it
    is, any other value as text with a formula-leading one neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write returns the line, so that csv.writer yields it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The file line by line: the byte-order mark and the header, then one line per row, each cell
    through ``cell()``."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(
    *, filename: str, header: Sequence, rows: Iterable[Sequence], stream: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download (``attachment``) of ``header`` and ``rows``.

    With ``stream`` the rows are read and written after the view has returned, outside the request's
    language: the header is translated here, and rows must hold no lazy translations."""
    header = [str(value) for value in header]
    lines = csv_lines(header, rows)
    if stream:
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if current_request() is not None:
        audit(kind=Kind.EXPORT, object_type="csv", object_id=filename, action="export")
    return response


def xlsx_cell(value):
    """One value as an Excel cell: None empty, a bool as it is, a number as a number (a ``Decimal`` as a
    float: Excel has no other), a date as a date, an aware time in local time without its zone, any other
    value as text with a formula-leading one neutralised."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def xlsx_response(
    *, filename: str, headers: Sequence, rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    """An Excel download (``attachment``) of one sheet: ``headers`` (translated here, in the request's
    language) in bold and frozen, then ``rows`` through ``xlsx_cell``."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = str(title)[:31]
    sheet.append([xlsx_cell(str(value)) for value in headers])
    for cell_ in sheet[1]:
        cell_.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if current_request() is not None:
        audit(kind=Kind.EXPORT, object_type="xlsx", object_id=filename, action="export")
    return response
