"""The registration form ("biểu mẫu", DOMAIN.md §5) and simple list tables.

Both are landscape appendix sections: appended after a letter (``add_to``) or
built as a standalone document. The form's header rows copy seed 001 exactly,
and repeat on every page, because offices print and file these tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from docx.document import Document as DocxDocument
from docx.shared import Pt

from danvan.documents import _ooxml as ox
from danvan.documents import _tablexml as tx
from danvan.documents._tablexml import Text
from danvan.documents.letter import document_bytes
from danvan.foundation.html import html_to_paragraphs
from danvan.foundation.numbers import number

H_STT = "STT"
H_NAME = "LĨNH VỰC/TÊN MÔ HÌNH, ĐIỂN HÌNH"
H_KIND = "HÌNH THỨC"
H_COLLECTIVE = "Mô hình tập thể"
H_INDIVIDUAL = "Mô hình cá nhân"
H_ADDRESS = "Địa chỉ"
H_CONTENT = "NỘI DUNG CỤ THỂ MÔ HÌNH, ĐIỂN HÌNH"
H_CONTENT_NOTE = (
    "(Nêu tóm tắt mô hình giải quyết vấn đề gì; tổ chức, cá nhân thực hiện; "
    "dự kiến kết quả mô hình đem lại)"
)
H_ORIGIN = "TRONG ĐÓ"
H_NEW = "Xây dựng mới"
H_REPLICATION = "Nhân rộng"
FORM_TITLE = 'BIỂU MÔ HÌNH, ĐIỂN HÌNH "DÂN VẬN KHÉO" ĐĂNG KÝ XÂY DỰNG, NHÂN RỘNG'
BLANK_UNIT_LINE = "PHÒNG/ĐƠN VỊ..."
EMPTY_TEXT = "Không có mô hình, điển hình nào được đăng ký."
ACTORS_LABEL = "- Tổ chức, cá nhân thực hiện: "
RESULTS_LABEL = "- Dự kiến kết quả mô hình đem lại: "
MARK = "X"

# Relative column widths (mm on a landscape A4 text area of 262 mm).
_WIDTHS = {"stt": 12, "name": 42, "mark": 14, "address": 30, "content": 122}
_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


@dataclass(frozen=True)
class FormItem:
    """One exemplar row. HTML fields hold ``<p>`` paragraphs (danvan.foundation.html)."""

    name: str
    collective: bool = False
    individual: bool = False
    address: str = ""
    problem_html: str = ""
    actors_html: str = ""
    results_html: str = ""
    new: bool = False
    replication: bool = False
    # A model of an earlier year the unit keeps building ("tiếp tục xây dựng"): its registration year, printed
    # under its name.
    continued_from: int | None = None

    @property
    def label(self) -> str:
        name = ox.clean(self.name).strip()
        if self.continued_from is None:
            return name
        return f"{name} (Tiếp tục xây dựng, đăng ký năm {self.continued_from})"


@dataclass(frozen=True)
class FormGroup:
    title: str  # "Lĩnh vực Tài chính, Văn phòng"
    items: Sequence[FormItem] = ()


@dataclass
class FormSpec:
    groups: Sequence[FormGroup] = ()
    unit_line: str = ""  # bold line above the title, e.g. "PHÒNG/ĐƠN VỊ..."
    title: str = FORM_TITLE
    attached_to: str = ""  # "(Kèm theo Công văn số: ... )"
    label: str = ""  # "Biểu số 2", printed at the top right
    with_stt: bool = True  # seed 000's blank form has no STT column
    blank_groups: int = 0  # > 0: the blank template rows "I. Lĩnh vực....", "1....."
    blank_items: int = 2
    empty_text: str = EMPTY_TEXT

    def add_to(self, doc: DocxDocument) -> None:
        add_form_section(doc, self)


@dataclass(frozen=True)
class FormRow:
    """A table row, independent of the output format (DOCX or XLSX)."""

    kind: Literal["group", "item", "empty"]
    stt: str = ""
    name: str = ""
    marks: tuple[bool, bool, bool, bool] = (False, False, False, False)
    address: str = ""
    content: tuple[str, ...] = ()


def blank_form(
    *,
    unit_line: str = BLANK_UNIT_LINE,
    attached_to: str = "",
    groups: int = 3,
    items: int = 2,
    with_stt: bool = False,
) -> FormSpec:
    """The empty form a launch letter sends down (seed 000)."""
    return FormSpec(
        unit_line=unit_line,
        attached_to=attached_to,
        with_stt=with_stt,
        blank_groups=groups,
        blank_items=items,
    )


def roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _strip_label(text: str, label: str) -> str:
    """Drop a label the user already typed, so it is not printed twice."""
    core = re.escape(label.strip("- :").strip())
    return re.sub(rf"^\s*[-–]?\s*{core}\s*:\s*", "", text, flags=re.I)


def _paragraphs(value: str) -> list[str]:
    return [p for p in (ox.clean(x).strip() for x in html_to_paragraphs(ox.clean(value))) if p]


def content_paragraphs(item: FormItem) -> list[str]:
    """Problem/solution paragraphs, then the actors and expected results lines."""
    out = _paragraphs(item.problem_html)
    for label, value in ((ACTORS_LABEL, item.actors_html), (RESULTS_LABEL, item.results_html)):
        parts = _paragraphs(value)
        if parts:
            out.append(label + _strip_label(parts[0], label))
            out.extend(parts[1:])
    return out


def form_rows(spec: FormSpec) -> Iterator[FormRow]:
    if spec.blank_groups:
        yield from _blank_rows(spec)
        return
    if not any(group.items for group in spec.groups):
        yield FormRow("empty", name=spec.empty_text)
        return
    number = 0
    for group in spec.groups:
        if not group.items:
            continue
        number += 1
        yield FormRow("group", stt=roman(number), name=ox.clean(group.title))
        for index, item in enumerate(group.items, start=1):
            marks = (item.collective, item.individual, item.new, item.replication)
            yield FormRow(
                "item",
                str(index),
                item.label,
                marks,
                ox.clean(item.address).strip(),
                tuple(content_paragraphs(item)),
            )


def _blank_rows(spec: FormSpec) -> Iterator[FormRow]:
    for group in range(1, spec.blank_groups + 1):
        yield FormRow("group", stt=roman(group), name="Lĩnh vực....")
        for item in range(1, spec.blank_items + 1):
            yield FormRow("item", stt=str(item), name="....")


def row_label(row: FormRow) -> str:
    """STT and name in one cell, for forms without an STT column: "I. Lĩnh vực..."."""
    if not row.stt:
        return row.name
    return f"{row.stt}.{row.name}" if row.name.startswith(".") else f"{row.stt}. {row.name}"


def column_weights(with_stt: bool) -> list[float]:
    w = _WIDTHS
    name = w["name"] if with_stt else w["name"] + w["stt"]
    weights: list[float] = [
        name,
        w["mark"],
        w["mark"],
        w["address"],
        w["content"],
        w["mark"],
        w["mark"],
    ]
    return [w["stt"], *weights] if with_stt else weights


# --- DOCX ----------------------------------------------------------------------


def add_form_section(doc: DocxDocument, spec: FormSpec) -> None:
    section = ox.start_section(doc, landscape=True)
    _title_lines(doc, spec.label, spec.unit_line, spec.title, spec.attached_to)
    total = ox.mm_to_dxa(ox.text_width_mm(section))
    widths = tx.scale_widths(column_weights(spec.with_stt), total)
    rows = (_docx_row(row, widths, spec.with_stt) for row in form_rows(spec))
    tx.append_table(doc, widths, _header_rows(widths, spec.with_stt), rows)
    ox.tiny(doc.add_paragraph())


def form_document(spec: FormSpec) -> DocxDocument:
    """The form alone, as a landscape document."""
    doc = ox.new_document(landscape=True)
    ox.add_page_numbers(doc.sections[0])
    add_form_section(doc, spec)
    return doc


def form_docx_bytes(spec: FormSpec) -> bytes:
    return document_bytes(form_document(spec))


def _title_lines(
    doc: DocxDocument, label: str, unit_line: str, title: str, attached_to: str
) -> None:
    lines = [  # text, alignment, bold, italic, size
        (label, "right", True, True, 13),
        (unit_line, "left", True, False, 13),
        (title, "center", True, False, 14),
        (attached_to, "center", False, True, 13),
    ]
    last = None
    for text, align, bold, italic, size in lines:
        if text and text.strip():
            last = ox.fmt_paragraph(doc.add_paragraph(), align=align, keep_next=True)
            ox.add_text(last, text.strip(), size=size, bold=bold, italic=italic)
    if last is not None:
        last.paragraph_format.space_after = Pt(8)


def _head(text: str, width: int, **kwargs) -> str:
    return tx.cell(width, tx.para(text, style=tx.HEAD_STYLE), valign="center", **kwargs)


def _header_rows(widths: list[int], with_stt: bool) -> list[str]:
    """Two header rows (merged as in seed 001) and the column-number row."""
    o = 1 if with_stt else 0
    note_para = tx.para(
        [Text(H_CONTENT + " "), Text(H_CONTENT_NOTE, italic=True, unbold=True)], style=tx.HEAD_STYLE
    )
    content = tx.cell(widths[o + 4], note_para, vmerge="restart", valign="center")
    first = [
        _head(H_NAME, widths[o], vmerge="restart"),
        _head(H_KIND, widths[o + 1] + widths[o + 2], span=2),
        _head(H_ADDRESS, widths[o + 3], vmerge="restart"),
        content,
        _head(H_ORIGIN, widths[o + 5] + widths[o + 6], span=2),
    ]
    second = [
        tx.cell(widths[o], vmerge="continue"),
        _head(H_COLLECTIVE, widths[o + 1]),
        _head(H_INDIVIDUAL, widths[o + 2]),
        tx.cell(widths[o + 3], vmerge="continue"),
        tx.cell(widths[o + 4], vmerge="continue"),
        _head(H_NEW, widths[o + 5]),
        _head(H_REPLICATION, widths[o + 6]),
    ]
    if with_stt:
        first.insert(0, _head(H_STT, widths[0], vmerge="restart"))
        second.insert(0, tx.cell(widths[0], vmerge="continue"))
    numbers = [
        tx.cell(w, tx.para(Text(str(i), italic=True), align="center"))
        for i, w in enumerate(widths, start=1)
    ]
    return [tx.row(cells, header=True, cant_split=True) for cells in (first, second, numbers)]


def _docx_row(row: FormRow, widths: list[int], with_stt: bool) -> str:
    if row.kind == "empty":
        text = tx.para(Text(row.name, italic=True), align="center")
        return tx.row([tx.cell(sum(widths), text, span=len(widths))], cant_split=True)
    group = row.kind == "group"
    label = [tx.para(Text(row.stt, bold=group), align="center", keep_next=group)]
    name = Text(row.name if with_stt else row_label(row), bold=group, italic=group)
    cells = [tx.para(name, keep_next=group)]
    marks = [tx.para(MARK if m else "", align="center") for m in row.marks]
    cells += marks[:2] + [tx.para(row.address), _content(row.content)] + marks[2:]
    if with_stt:
        cells = label + cells
    return tx.row((tx.cell(w, c) for w, c in zip(widths, cells, strict=True)), cant_split=group)


def _content(paragraphs: tuple[str, ...]) -> str:
    return "".join(tx.para(p, align="both") for p in paragraphs)


# --- simple list tables (seed 003's dossier list) ------------------------------

REGISTRATION_LIST_TITLE = 'DANH SÁCH TẬP THỂ VÀ CÁ NHÂN ĐĂNG KÝ XÂY DỰNG MÔ HÌNH "DÂN VẬN KHÉO"'
REGISTRATION_LIST_HEADERS = (
    "STT",
    "Tên tập thể/cá nhân",
    "Tên mô hình, điển hình",
    "Hình thức",
    "Lĩnh vực",
)


@dataclass
class SimpleTable:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    attached_to: str = ""
    unit_line: str = ""
    label: str = ""
    weights: Sequence[float] = ()  # relative column widths; default: equal, STT narrow
    landscape: bool = True
    number_row: bool = False
    empty_text: str = "Không có dữ liệu."
    centered_columns: Sequence[int] = field(default_factory=tuple)
    # Columns of counts: a whole number there is a number cell in Excel (summable) and "1.234" in Word.
    numeric_columns: Sequence[int] = field(default_factory=tuple)

    def add_to(self, doc: DocxDocument) -> None:
        add_simple_section(doc, self)

    def column_weights(self) -> list[float]:
        if self.weights:
            return list(self.weights)
        return [12.0 if h.strip().upper() == "STT" else 50.0 for h in self.headers]


def simple_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], **options
) -> SimpleTable:
    return SimpleTable(title=title, headers=headers, rows=rows, **options)


def registration_list(rows: Sequence[Sequence[str]], **options) -> SimpleTable:
    """The dossier list "Danh sách tập thể và cá nhân đăng ký ..." of seed 003."""
    options.setdefault("weights", (12, 60, 90, 30, 50))
    options.setdefault("centered_columns", (0, 3))
    numbered = [[str(i), *r] for i, r in enumerate(rows, start=1)]
    return SimpleTable(REGISTRATION_LIST_TITLE, REGISTRATION_LIST_HEADERS, numbered, **options)


def whole_number(value) -> int | None:
    """A count written as text ("12") as a number; None for anything else ("3/5", "", "I")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def shown(value, numeric: bool) -> str:
    """A table cell as Word shows it: counts the Vietnamese way (1.234)."""
    count = whole_number(value) if numeric else None
    if count is not None:
        return number(count)
    return "" if value is None else str(value)


def add_simple_section(doc: DocxDocument, spec: SimpleTable) -> None:
    section = ox.start_section(doc, landscape=spec.landscape)
    _title_lines(doc, spec.label, spec.unit_line, spec.title, spec.attached_to)
    total = ox.mm_to_dxa(ox.text_width_mm(section))
    widths = tx.scale_widths(spec.column_weights(), total)
    head = [_head(h, w) for h, w in zip(spec.headers, widths, strict=True)]
    rows = [tx.row(head, header=True, cant_split=True)]
    if spec.number_row:
        numbers = [
            tx.cell(w, tx.para(Text(str(i), italic=True), align="center"))
            for i, w in enumerate(widths, start=1)
        ]
        rows.append(tx.row(numbers, header=True, cant_split=True))
    for values in spec.rows:
        cells = [
            tx.cell(w, tx.para(shown(v, i in spec.numeric_columns), align="center" if i in spec.centered_columns else ""))
            for i, (w, v) in enumerate(zip(widths, values, strict=True))
        ]
        rows.append(tx.row(cells))
    if not spec.rows:
        text = tx.para(Text(spec.empty_text, italic=True), align="center")
        rows.append(tx.row([tx.cell(sum(widths), text, span=len(widths))]))
    tx.append_table(doc, widths, rows[: 1 + spec.number_row], rows[1 + spec.number_row :])
    ox.tiny(doc.add_paragraph())


def simple_table_document(spec: SimpleTable) -> DocxDocument:
    doc = ox.new_document(landscape=spec.landscape)
    ox.add_page_numbers(doc.sections[0])
    add_simple_section(doc, spec)
    return doc


def simple_table_docx_bytes(spec: SimpleTable) -> bytes:
    return document_bytes(simple_table_document(spec))
