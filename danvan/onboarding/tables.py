"""Reading and writing the onboarding spreadsheets — pure, no database.

A file is XLSX (first sheet) or CSV in whatever Excel saved: UTF-8 with or without BOM, UTF-16
("Unicode text", tab-separated) or Windows-1258 (Vietnamese ANSI, whose tone marks are combining
characters: the text is normalised to NFC so "ế" typed either way is the same letter).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl import Workbook, load_workbook

from danvan.foundation import officefile
from danvan.foundation.cells import csv_bytes, csv_unquote, text_cell

BROKEN_XLSX = "Tệp Excel bị hỏng hoặc không phải .xlsx."


class TableError(ValueError):
    """A file that cannot be read as a table; the message is for the user."""


@dataclass
class Table:
    fmt: str  # "xlsx" | "csv"
    encoding: str  # what was detected, in Vietnamese words ("" for XLSX)
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line number in the file, cells)


def _nfc(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding label). Raises TableError for an encoding that cannot be recognised."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 có BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16 (Unicode của Excel)"
        except UnicodeDecodeError as exc:
            raise TableError("Tệp có dấu hiệu UTF-16 nhưng nội dung bị hỏng; hãy lưu lại từ Excel.") from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), "Windows-1258 (đã chuyển sang Unicode)"
    except UnicodeDecodeError as exc:
        raise TableError(
            "Không nhận ra bảng mã của tệp CSV (chỉ nhận UTF-8, UTF-16 hoặc Windows-1258); "
            "hãy lưu lại từ Excel dạng “CSV UTF-8” hoặc dùng tệp Excel .xlsx."
        ) from exc


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def too_large(size: int) -> str | None:
    """The Vietnamese refusal of a list file of ``size`` bytes (DANVAN_UPLOAD_MAX_BYTES), None when it fits."""
    from danvan.foundation.uploads import size_text

    limit = settings.DANVAN_UPLOAD_MAX_BYTES
    return None if size <= limit else f"Tệp quá lớn ({size_text(size)}, tối đa {size_text(limit)})."


def check_file(data: bytes, filename: str) -> None:
    """What is refused before a file is kept or read: empty, too large, an XLSX the Office guard refuses."""
    if not data:
        raise TableError("Tệp rỗng.")
    if problem := too_large(len(data)):
        raise TableError(problem)
    if data[:4] == b"PK\x03\x04":
        try:
            officefile.check(data, filename)
        except officefile.Refused as exc:
            if exc.code == "corrupt":
                raise TableError(BROKEN_XLSX) from exc
            raise TableError(exc.message) from exc


def read_table(data: bytes, filename: str) -> Table:
    check_file(data, filename)
    name = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xls", ".xlsm")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError("Tệp Excel không đọc được; chỉ nhận Excel .xlsx (Excel 2007 trở lên) hoặc CSV.")
    text, encoding = decode_csv(data)
    if "\x00" in text:
        raise TableError("Tệp không phải bảng CSV hay Excel .xlsx.")
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0] if lines else ""))
    table: Table | None = None
    for line_no, cells in enumerate(reader, start=1):
        values = [csv_unquote(_nfc(c)) for c in cells]  # the quote our export put before "=…" goes
        if not any(values):
            continue
        if table is None:
            table = Table("csv", encoding, values)
        else:
            table.rows.append((line_no, values))
    if table is None:
        raise TableError("Tệp không có dòng tiêu đề.")
    return table


def _read_xlsx(data: bytes) -> Table:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip
        raise TableError(BROKEN_XLSX) from exc
    try:
        sheet = wb.worksheets[0]
        table: Table | None = None
        for line_no, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_nfc(c) for c in cells]
            while values and not values[-1]:
                values.pop()
            if not values:
                continue
            if table is None:
                table = Table("xlsx", "", values)
            else:
                table.rows.append((line_no, values))
    finally:
        wb.close()
    if table is None:
        raise TableError("Trang tính đầu tiên không có dòng tiêu đề.")
    return table


def write_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM, so Excel opens the Vietnamese text correctly."""
    return csv_bytes(headers, rows)


def write_xlsx(headers: list[str], rows: list[list[str]], *, title: str,
               notes: list[tuple[str, str]] | None = None) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([text_cell(ws, h) for h in headers])
    for r in rows:
        # Text cells only: a code like "001" or "=A1" stays what it is.
        ws.append([text_cell(ws, v) for v in r])
    if notes:
        help_sheet = wb.create_sheet("Hướng dẫn")
        help_sheet.append(["Cột", "Ý nghĩa"])
        for k, v in notes:
            help_sheet.append([text_cell(help_sheet, k), text_cell(help_sheet, v)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
