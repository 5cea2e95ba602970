"""Bordered Word tables written as OOXML strings and parsed once.

python-docx's ``add_row``/``cell`` API is quadratic on big tables; a consolidated
form may have thousands of rows, so rows are plain strings joined and parsed by
lxml in one go (5,000 exemplars in a few seconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import batched
from xml.sax.saxutils import escape

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml

from danvan.documents._ooxml import clean

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CELL_STYLE = "DVCell"
HEAD_STYLE = "DVCellHead"


@dataclass(frozen=True)
class Text:
    """One run of cell text; newlines become line breaks."""

    text: str
    bold: bool = False
    italic: bool = False
    unbold: bool = False  # override a bold paragraph style


def run(text: str, *, bold: bool = False, italic: bool = False, unbold: bool = False) -> str:
    weight = "<w:b/><w:bCs/>" if bold else ('<w:b w:val="0"/><w:bCs w:val="0"/>' if unbold else "")
    props = weight + ("<w:i/><w:iCs/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    lines = escape(clean(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{rpr}{body}</w:r>"


def para(
    content: str | Text | Sequence[Text] = "",
    *,
    style: str = CELL_STYLE,
    align: str = "",
    keep_next: bool = False,
) -> str:
    """A cell paragraph; ``align`` is one of "", "center", "both", "right"."""
    if isinstance(content, str):
        content = [Text(content)]
    elif isinstance(content, Text):
        content = [content]
    runs = "".join(
        run(t.text, bold=t.bold, italic=t.italic, unbold=t.unbold) for t in content if t.text
    )
    ppr = (
        f'<w:pStyle w:val="{style}"/>'
        + ("<w:keepNext/>" if keep_next else "")
        + (f'<w:jc w:val="{align}"/>' if align else "")
    )
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def cell(
    width: int,
    paragraphs: str | Iterable[str] = "",
    *,
    span: int = 1,
    vmerge: str = "",
    valign: str = "",
) -> str:
    """``vmerge`` is "restart" for the top cell of a vertical merge, "continue" below."""
    if not isinstance(paragraphs, str):
        paragraphs = "".join(paragraphs)
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge:
        props += "<w:vMerge/>"
    if valign:
        props += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs or para()}</w:tc>"


def row(cells: Iterable[str], *, header: bool = False, cant_split: bool = False) -> str:
    props = ("<w:cantSplit/>" if cant_split else "") + ("<w:tblHeader/>" if header else "")
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def table(widths: Sequence[int], rows: Iterable[str] = ()) -> str:
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(
        border.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    props = (
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="70" w:type="dxa"/>'
        '<w:right w:w="70" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="0"/>'
    )
    return (
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr>{props}</w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def append_table(
    doc: DocxDocument,
    widths: Sequence[int],
    header_rows: Iterable[str],
    rows: Iterable[str],
    *,
    chunk: int = 200,
) -> None:
    """Put a table at the end of the body (before the sectPr).

    Rows are parsed ``chunk`` at a time so a 5,000-row form never holds its
    whole XML text in memory at once.
    """
    element = parse_xml(table(widths, header_rows))
    body = doc.element.body
    sect_pr = body.sectPr
    if sect_pr is not None:
        sect_pr.addprevious(element)
    else:
        body.append(element)
    for batch in batched(rows, chunk):
        holder = parse_xml(f'<w:tbl xmlns:w="{W_NS}">{"".join(batch)}</w:tbl>')
        element.extend(list(holder))


def scale_widths(weights: Sequence[float], total_dxa: int) -> list[int]:
    """Column widths in dxa proportional to ``weights``, summing to ``total_dxa``."""
    scale = total_dxa / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[weights.index(max(weights))] += total_dxa - sum(widths)
    return widths
