"""CSV and XLSX downloads that are safe to open in a spreadsheet.

Cells beginning with ``= + - @``, a tab or a carriage return are neutralised
(prefixed with a quote) so that a spreadsheet never evaluates them as formulas.
CSV goes through defusedcsv and is written with a BOM so that Excel reads the
Chinese text as UTF-8; XLSX is written with openpyxl.
"""

import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from defusedcsv import csv
from flask import Response

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 (and so a worksheet) can't hold: a cell with one would make the file unreadable
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """A cell value that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_cell(value):
    """A neutralised cell without the control characters a worksheet can't hold (older rows)."""
    value = neutralise(value)
    return NOT_IN_XML.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], title: str = "export") -> bytes:
    from openpyxl import Workbook  # loaded by the first XLSX, not by every worker (6 MB)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append([xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """The file as an attachment; ``fmt`` is csv or xlsx."""
    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, filename)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
