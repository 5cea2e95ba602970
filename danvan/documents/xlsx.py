"""Excel versions of the registration form and the simple list tables.

Same rows as the Word tables (``form_rows``), but as real cells that offices can
filter and sort: merged header cells, wrapped text, borders, landscape A4 print
setup with the header rows repeated on every printed page.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from danvan.documents import form_table as ft
from danvan.documents._ooxml import FONT, clean
from danvan.foundation.cells import workbook_bytes
from danvan.foundation.numbers import XLSX_DECIMAL, XLSX_INTEGER, xlsx_format

EXCEL_CELL_LIMIT = 32_767
TRUNCATED_NOTE = "\n… (Nội dung quá dài, đã cắt bớt theo giới hạn ô Excel; xem bản Word.)"
# Excel column width is in characters of the default font; ~1.9 mm each.
_MM_PER_CHAR = 1.9
LINE_POINTS = 15.6  # one line of 12 pt Times New Roman
MAX_ROW_POINTS = 409  # Excel's limit; longer content scrolls inside the cell

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
F_CELL = Font(name=FONT, size=12)
F_BOLD = Font(name=FONT, size=12, bold=True)
F_GROUP = Font(name=FONT, size=12, bold=True, italic=True)
F_ITALIC = Font(name=FONT, size=12, italic=True)
A_TOP = Alignment(vertical="top", wrap_text=True)
A_CENTER_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)
A_HEAD = Alignment(horizontal="center", vertical="center", wrap_text=True)
A_JUSTIFY = Alignment(horizontal="justify", vertical="top", wrap_text=True)


class _Styles:
    """Cache of cell styles: openpyxl hashes every Font/Border on assignment,
    which dominates big sheets, so each combination is resolved only once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], object] = {}

    def apply(self, cell, font: Font, alignment: Alignment) -> None:
        key = (id(font), id(alignment))
        cached = self._cache.get(key)
        if cached is None:
            cell.font, cell.alignment, cell.border = font, alignment, BORDER
            self._cache[key] = copy(cell._style)
        else:
            cell._style = copy(cached)


def excel_text(value: str) -> str:
    """Clean text that fits in one Excel cell (32,767 characters)."""
    value = clean(value)
    if len(value) <= EXCEL_CELL_LIMIT:
        return value
    return value[: EXCEL_CELL_LIMIT - len(TRUNCATED_NOTE)] + TRUNCATED_NOTE


def _new_sheet(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    return workbook, sheet


def _title_rows(
    sheet: Worksheet, ncols: int, label: str, unit_line: str, title: str, attached_to: str
) -> int:
    """Write the title lines merged across the table; return the next free row."""
    lines = [
        (label, "right", Font(name=FONT, size=13, bold=True, italic=True)),
        (unit_line, "left", Font(name=FONT, size=13, bold=True)),
        (title, "center", Font(name=FONT, size=14, bold=True)),
        (attached_to, "center", Font(name=FONT, size=13, italic=True)),
    ]
    row = 1
    for text, align, font in lines:
        if not (text and text.strip()):
            continue
        cell = sheet.cell(row=row, column=1, value=clean(text.strip()))
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        row += 1
    return row + 1 if row > 1 else row


def _line_count(text: str, width_mm: float) -> int:
    """Lines a wrapped cell needs (generous: short lines beat clipped text)."""
    per_line = max(1, int(width_mm / _MM_PER_CHAR * 0.95))
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def _fit_height(
    sheet: Worksheet, number: int, values: Sequence[object], weights_mm: Sequence[float]
) -> None:
    """Set the row height: LibreOffice does not grow rows for wrapped text on load."""
    lines = max(
        (_line_count(str(v), w) for v, w in zip(values, weights_mm, strict=False) if v),
        default=1,
    )
    sheet.row_dimensions[number].height = min(MAX_ROW_POINTS, lines * LINE_POINTS + 4)


def _widths(sheet: Worksheet, weights_mm: Sequence[float]) -> None:
    for index, mm in enumerate(weights_mm, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(mm / _MM_PER_CHAR, 1)


def _print_setup(
    sheet: Worksheet, first_header: int, last_header: int, *, landscape: bool = True
) -> None:
    setup = sheet.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{first_header}:{last_header}"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left, margins.right, margins.top, margins.bottom = 0.8, 0.6, 0.8, 0.8
    sheet.oddHeader.center.text = "&P"
    sheet.freeze_panes = sheet.cell(row=last_header + 1, column=1)


def _head_cell(sheet: Worksheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font, cell.alignment, cell.border = F_BOLD, A_HEAD, BORDER


def _save(workbook: Workbook) -> bytes:
    return workbook_bytes(workbook)  # text that looks like a formula stays text


# --- the registration form -----------------------------------------------------


def form_workbook(spec: ft.FormSpec) -> Workbook:
    weights = ft.column_weights(spec.with_stt)
    workbook, sheet = _new_sheet("Biểu mẫu")
    top = _title_rows(sheet, len(weights), spec.label, spec.unit_line, spec.title, spec.attached_to)
    _form_header(sheet, top, spec.with_stt)
    styles = _Styles()
    for number, form_row in enumerate(ft.form_rows(spec), start=top + 3):
        _form_row(sheet, number, form_row, spec.with_stt, weights, styles)
    _widths(sheet, weights)
    _print_setup(sheet, top, top + 2)
    return workbook


def form_xlsx_bytes(spec: ft.FormSpec) -> bytes:
    return _save(form_workbook(spec))


def _content_header() -> CellRichText:
    return CellRichText(
        TextBlock(InlineFont(rFont=FONT, sz=12, b=True), ft.H_CONTENT + " "),
        TextBlock(InlineFont(rFont=FONT, sz=12, i=True), ft.H_CONTENT_NOTE),
    )


def _form_header(sheet: Worksheet, top: int, with_stt: bool) -> None:
    """Two merged header rows as in seed 001, then the column numbers."""
    o = 2 if with_stt else 1  # column of "LĨNH VỰC/TÊN ..."
    singles = [(o, ft.H_NAME), (o + 3, ft.H_ADDRESS), (o + 4, _content_header())]
    if with_stt:
        singles.insert(0, (1, ft.H_STT))
    for column, value in singles:
        _head_cell(sheet, top, column, value)
        _head_cell(sheet, top + 1, column, None)
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for column, over, left, right in (
        (o + 1, ft.H_KIND, ft.H_COLLECTIVE, ft.H_INDIVIDUAL),
        (o + 5, ft.H_ORIGIN, ft.H_NEW, ft.H_REPLICATION),
    ):
        _head_cell(sheet, top, column, over)
        _head_cell(sheet, top, column + 1, None)
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
        _head_cell(sheet, top + 1, column, left)
        _head_cell(sheet, top + 1, column + 1, right)
    for column in range(1, o + 7):
        cell = sheet.cell(row=top + 2, column=column, value=column)
        cell.font, cell.alignment, cell.border = F_ITALIC, A_HEAD, BORDER
    sheet.row_dimensions[top].height = 2 * LINE_POINTS + 4
    sheet.row_dimensions[top + 1].height = 4 * LINE_POINTS + 4


def _form_row(
    sheet: Worksheet,
    number: int,
    row: ft.FormRow,
    with_stt: bool,
    weights: Sequence[float],
    styles: _Styles,
) -> None:
    if row.kind == "empty":
        _merged_note(sheet, number, row.name, len(weights))
        return
    marks = [ft.MARK if m else None for m in row.marks]
    content = excel_text("\n".join(row.content)) or None
    name = row.name if with_stt else ft.row_label(row)
    values: list[str | int | None] = [name, *marks[:2], row.address or None, content, *marks[2:]]
    if with_stt:
        values.insert(0, int(row.stt) if row.stt.isdigit() else row.stt)
    group = row.kind == "group"
    offset = 1 if with_stt else 0
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column, value=value)
        styles.apply(cell, *_form_style(column - 1 - offset, group))
    _fit_height(sheet, number, values, weights)


def _form_style(index: int, group: bool) -> tuple[Font, Alignment]:
    """Font and alignment by position among the form's columns (-1 is STT)."""
    if index == -1:
        return (F_BOLD if group else F_CELL), A_CENTER_TOP
    if index == 0:
        return (F_GROUP if group else F_CELL), A_TOP
    if index == 3:
        return F_CELL, A_TOP
    if index == 4:
        return F_CELL, A_JUSTIFY
    return F_CELL, A_CENTER_TOP


def _merged_note(sheet: Worksheet, number: int, text: str, ncols: int) -> None:
    """A single italic line across the table ("Không có ...")."""
    for column in range(1, ncols + 1):
        sheet.cell(row=number, column=column).border = BORDER
    cell = sheet.cell(row=number, column=1, value=clean(text))
    cell.font, cell.alignment = F_ITALIC, A_HEAD
    sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=ncols)


# --- simple list tables --------------------------------------------------------


def simple_table_workbook(spec: ft.SimpleTable) -> Workbook:
    weights = spec.column_weights()
    ncols = len(spec.headers)
    workbook, sheet = _new_sheet("Danh sách")
    top = _title_rows(sheet, ncols, spec.label, spec.unit_line, spec.title, spec.attached_to)
    for column, header in enumerate(spec.headers, start=1):
        _head_cell(sheet, top, column, clean(header))
    _fit_height(sheet, top, spec.headers, weights)
    last_header = top
    if spec.number_row:
        last_header += 1
        for column in range(1, ncols + 1):
            cell = sheet.cell(row=last_header, column=column, value=column)
            cell.font, cell.alignment, cell.border = F_ITALIC, A_HEAD, BORDER
    styles = _Styles()
    for number, values in enumerate(spec.rows, start=last_header + 1):
        for column, value in enumerate(values, start=1):
            count = ft.whole_number(value) if (column - 1) in spec.numeric_columns else None
            if count is not None:  # a number cell: Excel sums it; shown 1.234
                cell = sheet.cell(row=number, column=column, value=count)
            else:
                text = excel_text(str(value)) if value not in (None, "") else None
                cell = sheet.cell(row=number, column=column, value=text)
            centred = (column - 1) in spec.centered_columns
            styles.apply(cell, F_CELL, A_CENTER_TOP if centred else A_TOP)
            if count is not None:
                cell.number_format = XLSX_INTEGER
        _fit_height(sheet, number, values, weights)
    if not spec.rows:
        _merged_note(sheet, last_header + 1, spec.empty_text, ncols)
    _widths(sheet, weights)
    _print_setup(sheet, top, last_header, landscape=spec.landscape)
    return workbook


def simple_table_xlsx_bytes(spec: ft.SimpleTable) -> bytes:
    return _save(simple_table_workbook(spec))


# --- data tables (dashboards) ----------------------------------------------------

_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def data_tables_xlsx_bytes(tables: Sequence[tuple[str, str, Sequence[str], Sequence[Sequence], str]],
                           unit_line: str = "") -> bytes:
    """One sheet per (sheet name, title, headers, rows, note); numbers stay numbers so offices can sum them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, title, headers, rows, note in tables:
        sheet = workbook.create_sheet(name.translate(_SHEET_FORBIDDEN)[:31] or "Bảng")
        ncols = len(headers)
        top = _title_rows(sheet, ncols, "", unit_line, title, note)
        for column, header in enumerate(headers, start=1):
            _head_cell(sheet, top, column, clean(header))
        weights = [90.0, *([32.0] * (ncols - 1))]
        _fit_height(sheet, top, headers, weights)
        for number, values in enumerate(rows, start=top + 1):
            for column, value in enumerate(values, start=1):
                if isinstance(value, str):
                    value = excel_text(value)
                cell = sheet.cell(row=number, column=column, value=value)
                cell.font, cell.border = F_CELL, BORDER
                cell.alignment = A_TOP
                if fmt := xlsx_format(value):
                    cell.number_format = XLSX_DECIMAL if fmt == XLSX_DECIMAL else XLSX_INTEGER
        if not rows:
            _merged_note(sheet, top + 1, "Không có dữ liệu.", ncols)
        _widths(sheet, weights)
        _print_setup(sheet, top, top, landscape=True)
    return _save(workbook)
