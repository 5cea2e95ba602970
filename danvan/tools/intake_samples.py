"""Sample registration forms built in memory (tests, benchmark, demo).

``build_seed001_docx()`` reproduces seed 001's "Biểu số 2" exactly as its text
dump shows it: seven page tables, the two header rows repeated on each, the
column-number row on the first, content and even the address continued in the
next page's rows, literal ``<p>`` tags, and both styles of group rows.
``build_blank_form_docx()`` reproduces seed 000's blank form.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from danvan.foundation.cells import workbook_bytes

from ._seed001 import SEED001_PAGES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

NAME_HEADER = "LĨNH VỰC/TÊN MÔ HÌNH, ĐIỂN HÌNH"
CONTENT_HEADER = (
    "NỘI DUNG CỤ THỂ MÔ HÌNH, ĐIỂN HÌNH (Nêu tóm tắt mô hình giải quyết vấn đề gì; "
    "tổ chức, cá nhân thực hiện; dự kiến kết quả mô hình đem lại)"
)
TITLE = 'BIỂU MÔ HÌNH, ĐIỂN HÌNH "DÂN VẬN KHÉO" ĐĂNG KÝ XÂY DỰNG, NHÂN RỘNG'


@dataclass
class C:
    """A table cell: text (one string per paragraph), span, vertical merge, italics."""

    text: str | list[str] = ""
    span: int = 1
    vmerge: str | None = None  # "restart" | "continue"
    italic: bool = False
    nested: list[list[Cell]] | None = None  # a table inside this cell


Cell = str | C
Row = list[Cell]


# ------------------------------------------------------------------ DOCX XML


def _run_xml(text: str, italic: bool) -> str:
    rpr = "<w:rPr><w:i/></w:rPr>" if italic else ""
    parts = text.split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in parts)
    return f"<w:r>{rpr}{inner}</w:r>" if text else ""


def _cell_xml(cell: Cell) -> str:
    c = cell if isinstance(cell, C) else C(cell)
    props = ""
    if c.span > 1:
        props += f'<w:gridSpan w:val="{c.span}"/>'
    if c.vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif c.vmerge == "continue":
        props += "<w:vMerge/>"
    paras = c.text if isinstance(c.text, list) else [c.text]
    body = "".join(f"<w:p>{_run_xml(p, c.italic)}</w:p>" for p in paras)
    if c.nested is not None:
        body = body + table_xml(c.nested, with_ns=False) + "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def table_xml(rows: list[Row], with_ns: bool = True) -> str:
    """A ``w:tbl`` element for ``rows`` (the grid is as wide as the widest row)."""
    ncols = max((sum(c.span if isinstance(c, C) else 1 for c in r) for r in rows), default=1)
    ns = f' xmlns:w="{W_NS}"' if with_ns else ""
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join('<w:gridCol w:w="1200"/>' for _ in range(ncols))
    body = "".join("<w:tr>" + "".join(_cell_xml(c) for c in r) + "</w:tr>" for r in rows)
    return (
        f'<w:tbl{ns}><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}'
        f"</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


def build_docx(items: list[str | list[Row]]) -> bytes:
    """A DOCX with paragraphs (str) and tables (list of rows), in order.

    Consecutive tables are separated by a page break, as Word does when a
    table is split across pages by hand.
    """
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    previous_table = False
    for item in items:
        if isinstance(item, str):
            document.add_paragraph(item)
            previous_table = False
            continue
        if previous_table:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        body.sectPr.addprevious(parse_xml(table_xml(item)))
        previous_table = True
    out = BytesIO()
    document.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ the form


def header_rows(*, stt: bool = True, numbers: bool = True, extra: int = 0) -> list[Row]:
    """The two header rows of the form (+ the column-number row)."""
    first: Row = [C(NAME_HEADER, vmerge="restart"), C("HÌNH THỨC", span=2)]
    first += [C("Địa chỉ", vmerge="restart"), C(CONTENT_HEADER, vmerge="restart")]
    first += [C("TRONG ĐÓ", span=2)]
    second: Row = [C(vmerge="continue"), "Mô hình tập thể", "Mô hình cá nhân"]
    second += [C(vmerge="continue"), C(vmerge="continue"), "Xây dựng mới", "Nhân rộng"]
    if stt:
        first.insert(0, C("STT", vmerge="restart"))
        second.insert(0, C(vmerge="continue"))
    rows = [first + [""] * extra, second + [""] * extra]
    if numbers:
        width = 8 if stt else 7
        numbers_row: Row = [str(i) for i in range(1, width + 1)]
        rows.append(numbers_row + [""] * extra)
    return rows


def _seed_row(cells: tuple[str, ...], extra: int) -> Row:
    if cells[0] and not any(cells[1:]) and not cells[0].isdigit():
        return [C(cells[0], span=len(cells) + extra)]  # "II <i>Lĩnh vực …</i>" across the row
    return [*cells, *([""] * extra)]


def seed001_tables() -> list[list[Row]]:
    """Seed 001's seven page tables (the first has an extra empty ninth column)."""
    tables: list[list[Row]] = []
    for i, page in enumerate(SEED001_PAGES):
        extra = 1 if i == 0 else 0
        rows = header_rows(numbers=i == 0, extra=extra)
        rows += [_seed_row(r, extra) for r in page]
        tables.append(rows)
    return tables


def build_seed001_docx() -> bytes:
    items: list[str | list[Row]] = [
        'BIỂU MÔ HÌNH, ĐIỂN HÌNH "DÂN VẬN KHÉO" ĐĂNG KÝ XÂY DỰNG, NHÂN RỘNG',
        "(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)",
        "Biểu số 2",
    ]
    items += seed001_tables()
    return build_docx(items)


def padded(first: Cell, width: int) -> Row:
    """A row with ``first`` in its first cell and the other cells empty."""
    return [first, *([""] * (width - 1))]


def blank_form_rows() -> list[Row]:
    """Seed 000's blank form: no STT column, italic group rows, "1....." placeholders."""
    rows = header_rows(stt=False)
    for numeral in ("I", "II", "III"):
        rows.append(padded(C(f"{numeral}. Lĩnh vực....", italic=True), 7))
        rows += [padded("1.....", 7), padded("2.....", 7)]
    return rows


def build_blank_form_docx() -> bytes:
    return build_docx(
        [
            "PHÒNG/ĐƠN VỊ...",
            TITLE,
            "(Kèm theo Công văn số: /SKHCN-VP ngày /3/2021 của Sở Khoa học và Công nghệ)",
            blank_form_rows(),
        ]
    )


# ------------------------------------------------------------------ XLSX

_P_SPLIT_RE = re.compile(r"</p>\s*<p>", re.I)
_P_EDGE_RE = re.compile(r"^\s*<p>|</p>\s*$", re.I)


def _wrapped(text: str) -> str:
    """'<p>a</p> <p>b</p>' -> 'a\\nb' (a wrapped Excel cell)."""
    return _P_EDGE_RE.sub("", _P_SPLIT_RE.sub("\n", text))


def build_seed001_xlsx() -> bytes:
    """Seed 001 as an Excel sheet: merged header cells, wrapped text, repeated headers."""
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu số 2"
    ws.append([TITLE])
    ws.merge_cells("A1:H1")
    ws.append(["Biểu số 2"])
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, page in enumerate(SEED001_PAGES):
        top = ws.max_row + 1
        ws.append(["STT", NAME_HEADER, "HÌNH THỨC", None, "Địa chỉ", CONTENT_HEADER, "TRONG ĐÓ"])
        ws.append(
            [
                None,
                None,
                "Mô hình tập thể",
                "Mô hình cá nhân",
                None,
                None,
                "Xây dựng mới",
                "Nhân rộng",
            ]
        )
        for col in "ABEF":
            ws.merge_cells(f"{col}{top}:{col}{top + 1}")
        ws.merge_cells(f"C{top}:D{top}")
        ws.merge_cells(f"G{top}:H{top}")
        if i == 0:
            ws.append(list(range(1, 9)))
        for cells in page:
            row = [_wrapped(c) if j == 5 else c for j, c in enumerate(cells)]
            ws.append([int(v) if v.isdigit() else (v or None) for v in row])
            r = ws.max_row
            ws.cell(r, 6).alignment = wrap
            if cells[0] and not any(cells[1:]) and not cells[0].isdigit():
                ws.merge_cells(f"A{r}:H{r}")
    return workbook_bytes(wb)


def build_xlsx(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ typical forms

_FIELDS = (
    "Lĩnh vực Tài chính, Văn phòng",
    "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng",
    "Lĩnh vực thanh tra",
    "Lĩnh vực Quản lý khoa học",
)
_TOPICS = (
    "tiết kiệm điện trong cơ quan",
    "cải cách thủ tục hành chính",
    "tiếp công dân, giải quyết khiếu nại",
    "chuyển đổi số trong quản lý văn bản",
    "vận động doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia",
    "xây dựng cơ quan xanh, sạch, đẹp",
)
_SENTENCE = (
    "Công chức, viên chức, người lao động được tuyên truyền, vận động thường xuyên "
    "để thực hiện tốt chủ trương của Đảng, chính sách pháp luật của Nhà nước"
)


def typical_form_tables(per_form: int, seed: int = 0, rows_per_page: int = 4) -> list[list[Row]]:
    """A typical filled form: groups, marks, content split across page tables."""
    rnd = random.Random(seed)
    rows: list[Row] = []
    for n in range(per_form):
        if n % 4 == 0:
            group: Row = [["I", "II", "III", "IV"][(n // 4) % 4], _FIELDS[(n // 4) % 4]]
            rows.append(group + [""] * 6)
        topic = rnd.choice(_TOPICS)
        content = (
            f"<p>{_SENTENCE} về {topic}.</p>"
            f" <p>+ Giải pháp: {_SENTENCE}, tổ chức thực hiện theo kế hoạch và"
        )
        kind = ("X", "") if rnd.random() < 0.6 else ("", "X")
        origin = ("X", "") if rnd.random() < 0.8 else ("", "X")
        rows.append(
            [
                str(n % 4 + 1),
                f"Thực hiện {topic} ({n + 1})",
                *kind,
                "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi",
                content,
                *origin,
            ]
        )
        rows.append(
            [
                "",
                "",
                "",
                "",
                "",
                "đánh giá định kỳ hằng quý.</p> <p>- Tổ chức, cá nhân thực hiện: "
                "Công chức Văn phòng Sở</p> <p>- Dự kiến kết quả mô hình đem lại: Tiết kiệm chi phí, "
                "nâng cao hiệu quả công việc.</p>",
                "",
                "",
            ]
        )
    pages: list[list[Row]] = []
    for start in range(0, len(rows), rows_per_page):
        pages.append(header_rows(numbers=start == 0) + rows[start : start + rows_per_page])
    return pages


def build_typical_form_docx(per_form: int = 10, seed: int = 0) -> bytes:
    return build_docx(["Biểu số 2", *typical_form_tables(per_form, seed)])


def build_typical_form_xlsx(per_form: int = 10, seed: int = 0) -> bytes:
    """A typical filled form as one Excel sheet (the shape of seed 001's): a header, group rows merged
    across, one row per exemplar with its wrapped content. ``per_form`` up to the parser's 2,000."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    ws.title = "Biểu số 2"
    ws.append([TITLE])
    ws.append(["Biểu số 2"])
    ws.append(["STT", NAME_HEADER, "HÌNH THỨC", None, "Địa chỉ", CONTENT_HEADER, "TRONG ĐÓ"])
    ws.append([None, None, "Mô hình tập thể", "Mô hình cá nhân", None, None, "Xây dựng mới", "Nhân rộng"])
    for col in "ABEF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("G3:H3")
    ws.append(list(range(1, 9)))
    merges = []
    rnd = random.Random(seed)
    for n in range(per_form):
        if n % 50 == 0:
            ws.append([f"{['I', 'II', 'III', 'IV'][(n // 50) % 4]}. {_FIELDS[(n // 50) % 4]}"])
            merges.append(f"A{ws.max_row}:H{ws.max_row}")
        topic = rnd.choice(_TOPICS)
        kind = ("X", None) if rnd.random() < 0.6 else (None, "X")
        origin = ("X", None) if rnd.random() < 0.8 else (None, "X")
        content = (f"{_SENTENCE} về {topic}.\n+ Giải pháp: {_SENTENCE}, tổ chức thực hiện theo kế hoạch và "
                   "đánh giá định kỳ hằng quý.\n- Tổ chức, cá nhân thực hiện: Công chức Văn phòng Sở\n"
                   "- Dự kiến kết quả mô hình đem lại: Tiết kiệm chi phí, nâng cao hiệu quả công việc.")
        ws.append([n % 50 + 1, f"Thực hiện {topic} (mẫu {seed}, số {n + 1})", *kind,
                   "202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi", content, *origin])
    for rng in merges:
        ws.merge_cells(rng)
    return workbook_bytes(wb)
