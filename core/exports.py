"""The one CSV writer for every download a spreadsheet program may open.

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
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from core.audit import Kind, audit, current_request

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


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
