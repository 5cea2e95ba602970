"""The one guard every Word/Excel reader goes through before python-docx or openpyxl expands anything.

    officefile.check(data, "danh-sach.xlsx")            # raises Refused with a Vietnamese message
    officefile.check_zip(zf, "bieu-mau.docx", bounds)    # on a zip already opened

Intake (`danvan/intake/filetype.py`) and onboarding (`danvan/onboarding/tables.py`) both call it, so a
hostile file costs what its bytes cost, not what it declares it expands to (issue 21 §7). It reads only
the zip's central directory and then streams the XML parts with a non-resolving lxml parser, counting by
local tag name (a prefixed `<x:c>` is a cell like `<c>`):

* the zip: entries, total uncompressed size, one part's size, compression ratio (zip bombs) — from the
  declared sizes, which zipfile never inflates past;
* XLSX: sheets, each sheet's declared `<dimension>`, the area of its merged ranges (openpyxl creates a
  cell for every position of a merge: `A2:XFD1048576` is 17 billion), the highest row number (rows in
  between are read as empty rows), its cells, and the rows × columns a read-only reader pads to;
* DOCX: table cells (with their column spans) in every part of the document.

The bounds come from settings (DANVAN_OFFICE_*, DANVAN_XLSX_*, DANVAN_DOCX_*); a door with stricter
bounds (a registration form) passes them.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, fields, replace
from io import BytesIO
from typing import Literal

from lxml import etree

_MB = 1024 * 1024
# The settings' defaults (danvan/settings.py reads the same DANVAN_* variables with these). Kept here so the
# intake parser stays usable without Django (the environment is read directly when settings are absent).
DEFAULTS = {
    "DANVAN_UPLOAD_MAX_BYTES": 20 * _MB,
    "DANVAN_OFFICE_MAX_ENTRIES": 5000,
    "DANVAN_OFFICE_MAX_UNCOMPRESSED": 200 * _MB,
    "DANVAN_OFFICE_MAX_PART_BYTES": 40 * _MB,
    "DANVAN_OFFICE_MAX_RATIO": 100,
    "DANVAN_XLSX_MAX_SHEETS": 50,
    "DANVAN_XLSX_MAX_ROWS": 200_000,
    "DANVAN_XLSX_MAX_CELLS": 2_000_000,
    "DANVAN_DOCX_MAX_CELLS": 200_000,
    "DANVAN_FORM_MAX_CELLS": 200_000,
}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class Refused(ValueError):
    """A file the guard will not let a reader open; ``message`` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Bounds:
    max_entries: int
    max_uncompressed: int
    max_part_bytes: int
    max_ratio: int
    ratio_floor: int  # parts smaller than this skip the ratio test
    max_sheets: int
    max_rows: int  # highest row number of a sheet
    max_cells: int  # cells of all sheets; also each of: dimension area, merged area, rows × columns read
    max_docx_cells: int

    @classmethod
    def from_settings(cls, **overrides: int | None) -> Bounds:
        base = cls(
            max_entries=setting("DANVAN_OFFICE_MAX_ENTRIES"),
            max_uncompressed=setting("DANVAN_OFFICE_MAX_UNCOMPRESSED"),
            max_part_bytes=setting("DANVAN_OFFICE_MAX_PART_BYTES"),
            max_ratio=setting("DANVAN_OFFICE_MAX_RATIO"),
            ratio_floor=1 * _MB,
            max_sheets=setting("DANVAN_XLSX_MAX_SHEETS"),
            max_rows=setting("DANVAN_XLSX_MAX_ROWS"),
            max_cells=setting("DANVAN_XLSX_MAX_CELLS"),
            max_docx_cells=setting("DANVAN_DOCX_MAX_CELLS"),
        )
        names = {f.name for f in fields(cls)}
        return replace(base, **{k: v for k, v in overrides.items() if v is not None and k in names})


def setting(name: str) -> int:
    """A bound from Django's settings (tests override them there), or from the environment without Django."""
    import sys

    if "django.conf" in sys.modules:
        from django.conf import settings

        if settings.configured:
            return int(getattr(settings, name, DEFAULTS[name]))
    return int(os.environ.get(name, DEFAULTS[name]))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _mb(value: int) -> str:
    return f"{value / _MB:.1f}".replace(".", ",")


def _save_again() -> str:
    return " Nếu đây là tệp thật, hãy mở bằng Word/Excel, xóa phần thừa, lưu lại rồi tải lên lại."


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str) -> tuple[int, int] | None:
    """(row, column) of "B12" / "$B$12"; None when it is not a cell reference."""
    found = _REF.match(ref.strip())
    return (int(found.group(2)), _col_number(found.group(1))) if found else None


def _area(ref: str) -> tuple[int, int]:
    """(rows, columns) a range such as "A2:XFD1048576" covers (a single cell is 1 × 1)."""
    start, _, end = (ref or "").partition(":")
    a, b = _cell(start), _cell(end or start)
    if a is None or b is None:
        return (0, 0)
    return (abs(b[0] - a[0]) + 1, abs(b[1] - a[1]) + 1)


def check(data: bytes, filename: str, bounds: Bounds | None = None) -> str:
    """Check an uploaded Office file; "xlsx", "docx" or "zip" (another zip) when it may be opened."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except Exception as exc:  # BadZipFile, OSError, struct errors, …
        raise Refused("corrupt", f"Tệp «{filename}» bị hỏng hoặc không phải tệp Word/Excel.") from exc
    with zf:
        return check_zip(zf, filename, bounds)


def check_zip(zf: zipfile.ZipFile, filename: str, bounds: Bounds | None = None) -> str:
    """The zip's declared sizes first (nothing inflated), then the parts of an XLSX or a DOCX."""
    b = bounds or Bounds.from_settings()
    _check_directory(zf, filename, b)
    names = zf.namelist()
    try:
        if "xl/workbook.xml" in names:
            _check_xlsx(zf, names, filename, b)
            return "xlsx"
        if "word/document.xml" in names:
            _check_docx(zf, names, filename, b)
            return "docx"
    except Refused:
        raise
    except Exception as exc:  # a damaged part: the readers would fail on it too
        raise Refused("corrupt", f"Tệp «{filename}» bị hỏng nên không đọc được.") from exc
    return "zip"


def _check_directory(zf: zipfile.ZipFile, filename: str, b: Bounds) -> None:
    infos = zf.infolist()
    if len(infos) > b.max_entries:
        raise Refused("zip_entries", f"Tệp «{filename}» có {_n(len(infos))} phần nén bên trong, vượt giới hạn "
                                     f"{_n(b.max_entries)}; tệp không được xử lý." + _save_again())
    total = sum(i.file_size for i in infos)
    if total > b.max_uncompressed:
        raise Refused("zip_size", f"Tệp «{filename}» khi giải nén lớn bất thường (khoảng {_mb(total)} MB, giới hạn "
                                  f"{_mb(b.max_uncompressed)} MB) nên không được xử lý." + _save_again())
    for info in infos:
        if info.flag_bits & 0x1:
            continue  # encrypted: each reader says so in its own words
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        if info.file_size > b.max_part_bytes:
            raise Refused("zip_part", f"Tệp «{filename}» có phần «{info.filename}» giải nén ra "
                                      f"{_mb(info.file_size)} MB, vượt giới hạn {_mb(b.max_part_bytes)} MB." + _save_again())
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > b.ratio_floor and ratio > b.max_ratio:
            raise Refused("zip_ratio", f"Tệp «{filename}» có phần «{info.filename}» nén bất thường (giải nén ra gấp "
                                       f"{_n(int(ratio))} lần, giới hạn {_n(b.max_ratio)} lần): dấu hiệu tệp “bom nén”."
                                       + _save_again())


def _iter_starts(zf: zipfile.ZipFile, name: str):
    """(local tag name, attributes) of every element of one part, streamed; memory stays flat."""
    with zf.open(name) as fh:
        context = etree.iterparse(fh, events=("start", "end"), resolve_entities=False, no_network=True,
                                  huge_tree=False, load_dtd=False)
        for event, el in context:
            if event == "start":
                yield _local(el.tag), el.attrib
            else:
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]


def _check_xlsx(zf: zipfile.ZipFile, names: list[str], filename: str, b: Bounds) -> None:
    sheets = sum(1 for tag, _ in _iter_starts(zf, "xl/workbook.xml") if tag == "sheet")
    parts = [n for n in names if n.startswith(("xl/worksheets/", "xl/chartsheets/")) and n.endswith(".xml")
             and "/_rels/" not in n]
    count = max(sheets, len(parts))
    if count > b.max_sheets:
        raise Refused("sheets", f"Tệp «{filename}» có {_n(count)} trang tính, vượt giới hạn {_n(b.max_sheets)} "
                                "trang tính; hãy chỉ giữ lại các trang tính cần nhập.")
    cells = merged = 0
    for name in parts:
        sheet = name.rsplit("/", 1)[-1].removesuffix(".xml")
        where = f"Tệp «{filename}»: trang tính «{sheet}»"
        dim_cols = max_row = 0
        row = 0
        for tag, attrs in _iter_starts(zf, name):
            if tag == "c":
                cells += 1
                if cells > b.max_cells:
                    raise Refused("cells", f"Tệp «{filename}» có hơn {_n(b.max_cells)} ô dữ liệu, vượt giới hạn; "
                                           "hãy chỉ giữ lại bảng cần nhập.")
                pos = _cell(attrs.get("r", ""))
                if pos is not None and pos[0] > max_row:
                    max_row = pos[0]
            elif tag == "row":
                raw = attrs.get("r", "")
                row = int(raw) if raw.isdigit() else row + 1
                max_row = max(max_row, row)
            elif tag == "dimension":
                ref = attrs.get("ref", "")
                rows, cols = _area(ref)
                if rows * cols > b.max_cells or rows > b.max_rows:
                    raise Refused("dimension", f"{where} khai báo vùng dữ liệu {ref} ({_n(rows * cols)} ô, "
                                               f"{_n(rows)} dòng), vượt giới hạn {_n(b.max_cells)} ô, "
                                               f"{_n(b.max_rows)} dòng." + _save_again())
                dim_cols = cols
            elif tag == "mergeCell":
                ref = attrs.get("ref", "")
                rows, cols = _area(ref)
                merged += rows * cols
                if merged > b.max_cells:
                    raise Refused("merged", f"{where} có vùng gộp ô {ref} ({_n(rows * cols)} ô): các vùng gộp ô "
                                            f"vượt giới hạn {_n(b.max_cells)} ô." + _save_again())
            if max_row > b.max_rows:
                raise Refused("rows", f"{where} có dòng số {_n(max_row)}, vượt giới hạn {_n(b.max_rows)} dòng."
                                      + _save_again())
            if max_row * dim_cols > b.max_cells:
                raise Refused("dimension", f"{where} có {_n(max_row)} dòng × {_n(dim_cols)} cột đã khai báo, vượt "
                                           f"giới hạn {_n(b.max_cells)} ô." + _save_again())


def _check_docx(zf: zipfile.ZipFile, names: list[str], filename: str, b: Bounds) -> None:
    cells = 0
    for name in names:
        if not (name.startswith("word/") and name.endswith(".xml")) or "/_rels/" in name:
            continue
        for tag, attrs in _iter_starts(zf, name):
            if tag == "tc":
                cells += 1
            elif tag == "gridSpan":
                val = next((v for k, v in attrs.items() if _local(k) == "val"), "1")
                cells += max(int(val) - 1, 0) if val.isdigit() else 0
            elif tag == "gridBefore":
                val = next((v for k, v in attrs.items() if _local(k) == "val"), "0")
                cells += int(val) if val.isdigit() else 0
            else:
                continue
            if cells > b.max_docx_cells:
                raise Refused("docx_cells", f"Tệp «{filename}» có hơn {_n(b.max_docx_cells)} ô bảng, vượt giới hạn; "
                                            "hãy chỉ giữ lại bảng cần nhập.")


# The main part an OOXML zip holds: what makes it a docx or an xlsx (uploads and intake; no Django here, so the
# intake parser stays pure).
OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def office_kind(names) -> Literal["docx", "xlsx"] | None:
    """"docx" or "xlsx" by the main part an OOXML zip holds (`OOXML_PART`: the one rule, uploads and intake), else
    None."""
    if OOXML_PART[".docx"] in names:
        return "docx"
    if OOXML_PART[".xlsx"] in names:
        return "xlsx"
    return None
