"""Low-level Word helpers shared by letters and tables.

python-docx covers most of what we need; the rest (fonts for every script,
paragraph borders, fields, table properties) is a few lines of raw OOXML here so
that the builders above stay readable.
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from danvan.foundation.html import strip_control_chars

FONT = "Times New Roman"
LANG = "vi-VN"
A4_SHORT_MM = 210
A4_LONG_MM = 297
# (top, bottom, left, right) in mm, within the Nghị định 30/2020 ranges.
PORTRAIT_MARGINS_MM = (20, 20, 30, 15)
LANDSCAPE_MARGINS_MM = (20, 20, 20, 15)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def mm_to_dxa(mm: float) -> int:
    """Millimetres to twentieths of a point (the unit of table widths)."""
    return round(mm * 1440 / 25.4)


def clean(text: str) -> str:
    """Text safe for XML 1.0 (DOCX/XLSX cannot hold most C0 controls)."""
    return strip_control_chars(text or "")


def text_width_mm(section: Section) -> float:
    width = int(section.page_width or 0)
    margins = int(section.left_margin or 0) + int(section.right_margin or 0)
    return (width - margins) / 36000  # EMU per mm


# --- document and sections -------------------------------------------------


def new_document(*, landscape: bool = False) -> DocxDocument:
    """An empty A4 document whose every style resolves to Times New Roman."""
    doc = Document()
    _normalize_styles(doc)
    _add_table_styles(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = "danvan"
    props.title = props.subject = props.comments = props.keywords = ""
    _drop_parts(doc)
    set_page(doc.sections[0], landscape=landscape)
    return doc


def _drop_parts(doc: DocxDocument) -> None:
    """Drop the template's sample thumbnail and its Word 2010 style copy (Calibri)."""
    for rels, kind in (
        (doc.part.package.rels, "/thumbnail"),
        (doc.part.rels, "/stylesWithEffects"),
    ):
        for rel_id in [k for k, rel in rels.items() if rel.reltype.endswith(kind)]:
            rels.pop(rel_id)


def _set_fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)


def _normalize_styles(doc: DocxDocument) -> None:
    """Times New Roman for Latin, East-Asian and complex scripts; Vietnamese."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    rpr.find(qn("w:sz")).set(qn("w:val"), "28")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "28")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    for fonts in styles.iter(qn("w:rFonts")):
        _set_fonts(fonts.getparent())
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    _set_fonts(normal.element.get_or_add_rPr())


def _add_table_styles(doc: DocxDocument) -> None:
    """Paragraph styles for table cells, so bulk rows need almost no XML."""
    for style_id, bold, align in (
        ("DVCell", False, WD_ALIGN_PARAGRAPH.LEFT),
        ("DVCellHead", True, WD_ALIGN_PARAGRAPH.CENTER),
    ):
        style = doc.styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(12)
        style.font.bold = bold
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.space_before = Pt(2)
        fmt.space_after = Pt(2)


def set_page(section: Section, *, landscape: bool) -> None:
    """A4 page with the official margins, in either orientation."""
    short, long_ = Mm(A4_SHORT_MM), Mm(A4_LONG_MM)
    top, bottom, left, right = LANDSCAPE_MARGINS_MM if landscape else PORTRAIT_MARGINS_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long_, short) if landscape else (short, long_)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = section.footer_distance = Mm(10)


def start_section(doc: DocxDocument, *, landscape: bool) -> Section:
    """Begin a new page section; after a letter its first page shows the number."""
    if _body_is_empty(doc):  # a standalone table: page 1 keeps its own rules
        section = doc.sections[-1]
    else:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        _shrink_break_paragraph(doc)
    set_page(section, landscape=landscape)
    return section


def _body_is_empty(doc: DocxDocument) -> bool:
    return all(child.tag == qn("w:sectPr") for child in doc.element.body)


def _shrink_break_paragraph(doc: DocxDocument) -> None:
    """The paragraph carrying a section break must not push a blank page."""
    holders = doc.element.body.xpath("./w:p[w:pPr/w:sectPr]")
    if holders:
        paragraph = Paragraph(holders[-1], doc._body)
        tiny(paragraph)


def tiny(paragraph: Paragraph) -> None:
    """Make an empty paragraph (almost) take no vertical space."""
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    rpr = paragraph._p.get_or_add_pPr()
    mark = rpr.find(qn("w:rPr"))
    if mark is None:
        mark = OxmlElement("w:rPr")
        rpr.append(mark)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)


def add_page_numbers(section: Section) -> None:
    """PAGE field, top centre, hidden on the first page of the section."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(paragraph, "PAGE", size=13)


def add_field(paragraph: Paragraph, instruction: str, *, size: float) -> None:
    parts = (
        ("fldChar", "begin"),
        ("instrText", instruction),
        ("fldChar", "separate"),
        ("t", "2"),
        ("fldChar", "end"),
    )
    for kind, value in parts:
        run = paragraph.add_run()
        style_run(run, size=size)
        element = OxmlElement(f"w:{kind}")
        if kind == "fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


# --- paragraphs and runs ---------------------------------------------------


def style_run(
    run,
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    font = run.font
    font.name = FONT
    _set_fonts(run._r.get_or_add_rPr())
    if size:
        font.size = Pt(size)
    font.bold = bold or None
    font.italic = italic or None
    font.underline = underline or None


def add_text(
    paragraph: Paragraph,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    """Append text; newlines become line breaks inside the paragraph."""
    for index, line in enumerate(clean(text).split("\n")):
        run = paragraph.add_run()
        style_run(run, size=size, bold=bold, italic=italic, underline=underline)
        if index:
            run.add_break()
        run.add_text(line)


def fmt_paragraph(
    paragraph: Paragraph,
    *,
    align: str = "left",
    before: float = 0,
    after: float = 0,
    first_indent_mm: float = 0,
    left_mm: float = 0,
    right_mm: float = 0,
    keep_next: bool = False,
) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.alignment = ALIGN[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = Mm(first_indent_mm) if first_indent_mm else None
    fmt.left_indent = Mm(left_mm) if left_mm else None
    fmt.right_indent = Mm(right_mm) if right_mm else None
    fmt.keep_with_next = keep_next or None
    return paragraph


def rule(container, *, width_mm: float, column_mm: float) -> Paragraph:
    """A short centred horizontal line: an empty paragraph with a top border."""
    paragraph = container.add_paragraph()
    side = max((column_mm - width_mm) / 2, 0)
    fmt_paragraph(paragraph, left_mm=side, right_mm=side)
    tiny(paragraph)
    paragraph.paragraph_format.space_before = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        top.set(qn(f"w:{key}"), value)
    borders.append(top)
    # pBdr must precede spacing/ind/jc in pPr.
    anchor = ppr.find(qn("w:spacing"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    return paragraph


def cell_paragraph(cell: _Cell, used: list[bool]) -> Paragraph:
    """A fresh cell holds one empty paragraph: use it before adding more."""
    if not used[0]:
        used[0] = True
        return cell.paragraphs[0]
    return cell.add_paragraph()


# --- tables ----------------------------------------------------------------


def layout_table(table: Table, widths_mm: list[float], *, indent_mm: float = 0) -> None:
    """Fixed layout with exact column widths; no borders unless given later."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    for tag, attrs in (
        ("w:tblW", {"w:w": str(sum(mm_to_dxa(w) for w in widths_mm)), "w:type": "dxa"}),
        ("w:tblInd", {"w:w": str(mm_to_dxa(indent_mm)), "w:type": "dxa"}),
        ("w:tblLayout", {"w:type": "fixed"}),
    ):
        old = tbl_pr.find(qn(tag))
        if old is not None:
            tbl_pr.remove(old)
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        tbl_pr.append(element)
    _order_tbl_pr(tbl_pr)
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


_TBL_PR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
]


def _order_tbl_pr(tbl_pr) -> None:
    """Word rejects tblPr children out of schema order."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_TBL_PR_ORDER)}
    children = sorted(tbl_pr, key=lambda el: rank.get(el.tag, len(rank)))
    for child in children:
        tbl_pr.append(child)


def borderless_table(
    doc: DocxDocument, widths_mm: list[float], rows: int = 1, *, indent_mm: float = 0
) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    layout_table(table, widths_mm, indent_mm=indent_mm)
    return table
