"""Tables of a DOCX or XLSX file as grids of cells with their grid positions.

Both readers produce ``Block``s: a DOCX table (nested ones included) or an
XLSX sheet. Each cell appears once, at the grid column where it starts, with
its span: horizontal merges are not repeated and the continuation of a
vertical merge is an empty cell, so a value is never read twice.
"""

from __future__ import annotations

import html
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from io import BytesIO

from lxml import etree

from .content import LITERAL_TAG_RE, cell_paragraphs, cell_text, source_to_paragraphs


class TooManyRows(Exception):
    """More table rows than a registration form can sensibly have."""


@dataclass
class GridCell:
    start: int
    span: int
    paragraphs: list[str]  # inline-HTML paragraphs (see content.py)

    @cached_property
    def text(self) -> str:
        """Plain text, paragraphs joined by a space."""
        return cell_text(self.paragraphs)


@dataclass
class Block:
    label: str  # where it is, for messages: "bảng 2", "trang tính «Sheet1»"
    rows: list[list[GridCell]]
    ncols: int
    index: int = 0
    parent: int | None = None  # DOCX: index of the table this one is nested in
    sibling: int = 0  # DOCX: position among the tables with the same parent
    row_labels: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- DOCX


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


TBL, TR, TC, P, R = _w("tbl"), _w("tr"), _w("tc"), _w("p"), _w("r")
T, TAB, BR, CR = _w("t"), _w("tab"), _w("br"), _w("cr")
NBH, RPR, VAL = _w("noBreakHyphen"), _w("rPr"), _w("val")
_WRAPPERS = {_w("sdt"), _w("sdtContent"), _w("customXml"), _w("smartTag")}
_FORMATS = (("b", "b"), ("i", "i"), ("u", "u"))
_FALSE = {"0", "false", "off", "none"}
# No entity expansion, no network, no huge-tree mode: a hostile XML stays small.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _children(el, tag: str) -> Iterator:
    """Direct children with ``tag``, looking through content-control wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _run_format(run) -> tuple[str, ...]:
    rpr = run.find(RPR)
    if rpr is None:
        return ()
    out = []
    for xml_tag, html_tag in _FORMATS:
        el = rpr.find(_w(xml_tag))
        if el is not None and (el.get(VAL) or "true").lower() not in _FALSE:
            out.append(html_tag)
    return tuple(out)


def _run_text(run) -> str:
    parts: list[str] = []
    for child in run:
        if child.tag == T:
            parts.append(child.text or "")
        elif child.tag == TAB:
            parts.append("\t")
        elif child.tag in (BR, CR):
            parts.append("\n")
        elif child.tag == NBH:
            parts.append("-")
    return "".join(parts)


def paragraph_source(p) -> str:
    """HTML source of a Word paragraph: runs' text, bold/italic/underline as tags.

    Text holding literal tags (``<p>``, ``<i>``…) is taken as HTML; any other
    text is escaped.
    """
    runs: list[tuple[tuple[str, ...], str]] = []
    for run in p.iter(R):
        text = _run_text(run)
        if not text:
            continue
        fmt = _run_format(run)
        if runs and runs[-1][0] == fmt:
            runs[-1] = (fmt, runs[-1][1] + text)
        else:
            runs.append((fmt, text))
    literal = bool(LITERAL_TAG_RE.search("".join(t for _, t in runs)))
    out: list[str] = []
    for fmt, text in runs:
        src = text if literal else html.escape(text, quote=False)
        if fmt and text.strip():
            src = "".join(f"<{t}>" for t in fmt) + src + "".join(f"</{t}>" for t in reversed(fmt))
        out.append(src)
    return "".join(out)


def _tc_paragraphs(tc) -> list[str]:
    out: list[str] = []
    for p in _children(tc, P):
        out.extend(source_to_paragraphs(paragraph_source(p)))
    return out


def _int_attr(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(int(found.get(VAL, default)), 0)
    except ValueError:
        return default


def _docx_row(tr) -> list[GridCell]:
    col = _int_attr(tr, f"{_w('trPr')}/{_w('gridBefore')}", 0)
    cells: list[GridCell] = []
    for tc in _children(tr, TC):
        tcpr = tc.find(_w("tcPr"))
        span = _int_attr(tcpr, _w("gridSpan"), 1) if tcpr is not None else 1
        span = max(span, 1)
        vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
        continued = vmerge is not None and (vmerge.get(VAL) or "continue") == "continue"
        cells.append(GridCell(col, span, [] if continued else _tc_paragraphs(tc)))
        col += span
    return cells


def _rows_of(tbl) -> Iterator:
    yield from _children(tbl, TR)


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"


def _main_part_name(zf: zipfile.ZipFile) -> str:
    """The main document part named by ``_rels/.rels`` (usually word/document.xml)."""
    try:
        rels = etree.fromstring(zf.read("_rels/.rels"), _SAFE_PARSER)
    except KeyError:
        return "word/document.xml"
    for rel in rels.iter(f"{_RELS_NS}Relationship"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
            target = (rel.get("Target") or "").lstrip("/")
            if target in zf.namelist():
                return target
    return "word/document.xml"


def docx_body(data: bytes):
    """The ``w:body`` element of a DOCX, parsed with a non-resolving lxml parser."""
    with zipfile.ZipFile(BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(_main_part_name(zf)), _SAFE_PARSER)
    body = root.find(_w("body"))
    if body is None:
        raise ValueError("not a WordprocessingML document")
    # Text boxes are stored twice (mc:Choice and the legacy mc:Fallback): keep one copy.
    for fallback in list(body.iter(_MC_FALLBACK)):
        fallback.getparent().remove(fallback)
    return body


def docx_blocks(data: bytes, max_rows: int) -> Iterator[Block]:
    """Every table of the document body in document order, nested ones included."""
    body = docx_body(data)
    if sum(1 for _ in body.iter(TR)) > max_rows:
        raise TooManyRows
    tables = list(body.iter(TBL))
    index = {tbl: i for i, tbl in enumerate(tables)}
    siblings: dict[int | None, int] = {}
    for i, tbl in enumerate(tables):
        parent_el = next(tbl.iterancestors(TBL), None)
        parent = index.get(parent_el) if parent_el is not None else None
        siblings[parent] = siblings.get(parent, -1) + 1
        grid = tbl.find(_w("tblGrid"))
        rows = [_docx_row(tr) for tr in _rows_of(tbl)]
        ncols = max((c.start + c.span for r in rows for c in r), default=0)
        if grid is not None:
            ncols = max(ncols, len(grid.findall(_w("gridCol"))))
        yield Block(
            label=f"bảng {i + 1}",
            rows=rows,
            ncols=ncols,
            index=i,
            parent=parent,
            sibling=siblings[parent],
        )


# --------------------------------------------------------------------------- XLSX


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "X" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("_x000D_", "")


def _last_filled_row(ws) -> int:
    """Last row holding a value (formatting alone can push ``max_row`` to 1,048,576)."""
    cells = getattr(ws, "_cells", None)
    if cells is None:
        return ws.max_row
    return max((r for (r, _), cell in cells.items() if cell.value is not None), default=0)


def xlsx_blocks(data: bytes, max_rows: int, max_columns: int) -> Iterator[Block]:
    """Every worksheet as one block; merged ranges give the spans."""
    import openpyxl  # local: keep module import cheap

    wb = openpyxl.load_workbook(BytesIO(data), data_only=True)
    try:
        for i, ws in enumerate(wb.worksheets):
            spans = {
                (rng.min_row, rng.min_col): rng.max_col - rng.min_col + 1
                for rng in ws.merged_cells.ranges
            }
            ncols = min(ws.max_column, max_columns)
            last_row = _last_filled_row(ws)
            if last_row > max_rows:
                raise TooManyRows
            rows: list[list[GridCell]] = []
            labels: list[str] = []
            for r, values in enumerate(
                ws.iter_rows(max_row=last_row, max_col=ncols, values_only=True), start=1
            ):
                cells = [
                    GridCell(c, spans.get((r, c + 1), 1), cell_paragraphs([_xlsx_text(v)]))
                    for c, v in enumerate(values)
                    if v is not None and _xlsx_text(v).strip()
                ]
                rows.append(cells)
                labels.append(f"dòng {r}")
            yield Block(
                label=f"trang tính «{ws.title}»",
                rows=rows,
                ncols=ncols,
                index=i,
                row_labels=labels,
            )
    finally:
        wb.close()
