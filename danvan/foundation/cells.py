"""Every spreadsheet the system writes holds data, never code (OWASP "CSV injection").

A unit name ``=HYPERLINK(…)`` or an address ``=cmd|…`` must not become a live formula in an office's Excel.
Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised here, in the one
place every XLSX and CSV writer goes through:

- CSV (``csv_bytes``, ``csv_writer``): such text is prefixed with a single quote, the only marker a CSV has.
- XLSX (``workbook_bytes``, ``text_cell``): such text is stored as a string (``data_type 's'``) with Excel's own
  quote prefix (the ``quotePrefix`` cell style, what Excel records when someone types a leading ``'``): the
  cell shows exactly the text, Excel and LibreOffice never evaluate it, not even when the cell is edited, and
  content that starts with a "- " bullet (common in the seed forms) keeps its look.

Numbers stay numbers (negative ones included): only text is ever touched. ``csv_unquote`` is the reader's
inverse, so a tree exported to CSV imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _needs_quote(value: str) -> bool:
    # A text typed with its own leading quote ("'=x") gets one more, so that reading it back keeps it.
    return value.startswith(FORMULA_START) or (value.startswith("'") and _needs_quote(value[1:]))


def csv_cell(value: object) -> object:
    """A CSV field that no spreadsheet reads as a formula."""
    return "'" + value if isinstance(value, str) and _needs_quote(value) else value


def csv_unquote(value: str) -> str:
    """What ``csv_cell`` wrote, read back: the quote it added goes (a quote before other text stays)."""
    return value[1:] if value.startswith("'") and _needs_quote(value[1:]) else value


class _SafeWriter:
    def __init__(self, stream, **kwargs) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """``csv.writer`` whose every text field goes through ``csv_cell``."""
    return _SafeWriter(stream, **kwargs)


def csv_bytes(headers: Sequence[object], rows: Iterable[Iterable[object]], *, lineterminator: str = "\r\n") -> bytes:
    """UTF-8 with BOM (Excel opens the Vietnamese text correctly); ``None`` is an empty field."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator=lineterminator)
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def protect(cell) -> None:
    """Make one openpyxl cell (ordinary or write-only) data: a formula-like text is stored as quoted text."""
    if cell.data_type == "f" or starts_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def text_cell(sheet, value: object) -> WriteOnlyCell:
    """A write-only cell holding ``value`` as text, never a formula."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    protect(cell)
    return cell


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx bytes of an ordinary workbook, after every written cell of every sheet went through ``protect``."""
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():  # only the cells written, not the whole used range
            protect(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
