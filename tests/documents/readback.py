"""Read generated documents back the way an office clerk's tools would."""

from __future__ import annotations

import io

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph


def load(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def all_texts(doc: DocxDocument) -> list[str]:
    """Every paragraph of the body, tables included, in document order."""
    return [Paragraph(p, doc._body).text for p in doc.element.body.iter(qn("w:p"))]


def row_texts(table: Table, index: int) -> list[str]:
    return [cell.text for cell in table.rows[index].cells]


def is_header_row(table: Table, index: int) -> bool:
    return bool(table.rows[index]._tr.xpath("./w:trPr/w:tblHeader"))


def xml_text(doc: DocxDocument) -> str:
    return "".join(doc.element.body.itertext())
