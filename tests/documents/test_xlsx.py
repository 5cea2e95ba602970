"""Excel versions of the form and list tables, read back with openpyxl."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from danvan.documents import form_table as ft
from danvan.documents.form_table import FormGroup, FormItem, FormSpec, blank_form
from danvan.documents.xlsx import (
    EXCEL_CELL_LIMIT,
    TRUNCATED_NOTE,
    form_xlsx_bytes,
    simple_table_xlsx_bytes,
)

from .seed001 import ELECTRICITY_PROBLEM, GROUPS

ATTACHED = "(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)"


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _seed_sheet():
    spec = FormSpec(groups=GROUPS, attached_to=ATTACHED, label="Biểu số 2")
    return _sheet(form_xlsx_bytes(spec))


def test_titles_and_merged_headers():
    sheet = _seed_sheet()
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        "Biểu số 2",
        ft.FORM_TITLE,
        ATTACHED,
    ]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {
        "A1:H1",
        "A2:H2",
        "A3:H3",
        "A5:A6",
        "B5:B6",
        "C5:D5",
        "E5:E6",
        "F5:F6",
        "G5:H5",
    } <= merged
    assert [sheet.cell(row=5, column=c).value for c in (1, 2, 3, 5, 7)] == [
        ft.H_STT,
        ft.H_NAME,
        ft.H_KIND,
        ft.H_ADDRESS,
        ft.H_ORIGIN,
    ]
    assert str(sheet["F5"].value).startswith(ft.H_CONTENT)
    assert [sheet.cell(row=6, column=c).value for c in (3, 4, 7, 8)] == [
        ft.H_COLLECTIVE,
        ft.H_INDIVIDUAL,
        ft.H_NEW,
        ft.H_REPLICATION,
    ]
    assert [sheet.cell(row=7, column=c).value for c in range(1, 9)] == list(range(1, 9))


def test_rows_marks_and_wrapped_content():
    sheet = _seed_sheet()
    assert [sheet.cell(row=r, column=1).value for r in range(8, 14)] == [
        "I",
        1,
        "II",
        1,
        "III",
        1,
    ]
    assert sheet["B8"].value == "Lĩnh vực Tài chính, Văn phòng"
    assert sheet["B8"].font.b and sheet["B8"].font.i
    assert [sheet.cell(row=9, column=c).value for c in (3, 4, 7, 8)] == ["X", None, "X", None]
    assert [sheet.cell(row=13, column=c).value for c in (3, 4, 7, 8)] == [None, "X", "X", None]
    content = sheet["F9"].value.split("\n")
    assert content[: len(ELECTRICITY_PROBLEM)] == ELECTRICITY_PROBLEM
    assert content[-2].startswith("- Tổ chức, cá nhân thực hiện: ")
    assert sheet["F9"].alignment.wrap_text and sheet["B9"].alignment.wrap_text
    assert sheet["F9"].border.left.style == "thin"
    assert sheet["F9"].font.name == "Times New Roman"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGH"}
    assert widths["F"] == max(widths.values())


def test_print_setup():
    sheet = _seed_sheet()
    assert sheet.print_title_rows == "$5:$7"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.freeze_panes == "A8"


def test_blank_and_empty_forms():
    sheet = _sheet(form_xlsx_bytes(blank_form()))
    assert sheet["A1"].value == "PHÒNG/ĐƠN VỊ..."
    assert sheet["A4"].value == ft.H_NAME
    assert [sheet.cell(row=6, column=c).value for c in range(1, 8)] == list(range(1, 8))
    assert [sheet.cell(row=r, column=1).value for r in (7, 8, 9)] == [
        "I. Lĩnh vực....",
        "1.....",
        "2.....",
    ]
    empty = _sheet(form_xlsx_bytes(FormSpec(groups=[FormGroup("G", [])])))
    assert empty["A6"].value == ft.EMPTY_TEXT
    assert "A6:H6" in {str(r) for r in empty.merged_cells.ranges}


def test_oversized_content_is_truncated_with_a_note():
    huge = FormItem("A", problem_html="<p>" + "chữ " * 12_000 + "</p>")
    sheet = _sheet(form_xlsx_bytes(FormSpec(groups=[FormGroup("G", [huge])])))
    value = sheet["F7"].value
    assert len(value) <= EXCEL_CELL_LIMIT
    assert value.endswith(TRUNCATED_NOTE)


def test_control_characters_are_removed():
    item = FormItem("Tên\x00 A", address="X\x0b Y", problem_html="<p>Đoạn\x07 một</p>")
    sheet = _sheet(form_xlsx_bytes(FormSpec(groups=[FormGroup("G\x1f", [item])])))
    assert (sheet["B6"].value, sheet["B7"].value, sheet["E7"].value) == ("G", "Tên A", "X Y")
    assert sheet["F7"].value == "Đoạn một"


def test_simple_table():
    spec = ft.registration_list([["Chi bộ Văn phòng", "Cải cách", "Tập thể", "Hành chính"]])
    sheet = _sheet(simple_table_xlsx_bytes(spec))
    assert sheet["A1"].value == ft.REGISTRATION_LIST_TITLE
    assert [sheet.cell(row=3, column=c).value for c in range(1, 6)] == list(
        ft.REGISTRATION_LIST_HEADERS
    )
    assert [sheet.cell(row=4, column=c).value for c in range(1, 6)] == [
        "1",
        "Chi bộ Văn phòng",
        "Cải cách",
        "Tập thể",
        "Hành chính",
    ]
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
