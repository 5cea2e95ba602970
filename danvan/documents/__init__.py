"""Rendering official documents: letters, the registration form, list tables.

Pure Python (python-docx, openpyxl, LibreOffice for PDF); no models, no database.
Callers build the dataclasses from their own data and get bytes back:

    spec = LetterSpec(issuer=..., subject="V/v ...", appendices=[FormSpec(...)])
    letter_bytes(spec)          # DOCX: portrait letter + landscape appendix
    form_xlsx_bytes(form_spec)  # the same table as real Excel cells
    to_pdf(docx_bytes, "docx")  # raises PdfUnavailable without LibreOffice
"""

from danvan.documents.form_table import (
    FormGroup,
    FormItem,
    FormSpec,
    SimpleTable,
    blank_form,
    content_paragraphs,
    form_document,
    form_docx_bytes,
    registration_list,
    simple_table,
    simple_table_docx_bytes,
)
from danvan.documents.letter import (
    DocDate,
    Issuer,
    LetterSpec,
    Para,
    Run,
    Signature,
    attachment_line,
    build_letter,
    heading,
    letter_bytes,
    number_line,
    reference,
    subheading,
)
from danvan.documents.pdf import PdfUnavailable, pdf_available, to_pdf
from danvan.documents.xlsx import form_xlsx_bytes, simple_table_xlsx_bytes

__all__ = [
    "DocDate",
    "FormGroup",
    "FormItem",
    "FormSpec",
    "Issuer",
    "LetterSpec",
    "Para",
    "PdfUnavailable",
    "Run",
    "Signature",
    "SimpleTable",
    "attachment_line",
    "blank_form",
    "build_letter",
    "content_paragraphs",
    "form_document",
    "form_docx_bytes",
    "form_xlsx_bytes",
    "heading",
    "letter_bytes",
    "number_line",
    "pdf_available",
    "reference",
    "registration_list",
    "simple_table",
    "simple_table_docx_bytes",
    "simple_table_xlsx_bytes",
    "subheading",
    "to_pdf",
]
