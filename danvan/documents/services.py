"""One place that turns a request for a document into bytes, for pages and CLI alike."""

from __future__ import annotations

from dataclasses import dataclass

from danvan.movement.models import RegistrationRound, Submission

from . import (
    PdfUnavailable,
    blank_form,
    form_docx_bytes,
    form_xlsx_bytes,
    letter_bytes,
    simple_table_docx_bytes,
    simple_table_xlsx_bytes,
    to_pdf,
)
from . import from_data as fd

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class DocumentError(Exception):
    """A Vietnamese message for the user (unsupported format, no LibreOffice…)."""


@dataclass
class Rendered:
    data: bytes
    filename: str
    fmt: str

    @property
    def content_type(self) -> str:
        return MIME[self.fmt]


def docx_to_pdf(docx: bytes) -> bytes:
    try:
        return to_pdf(docx, "docx")
    except PdfUnavailable as exc:
        raise DocumentError(str(exc)) from exc


def need_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise DocumentError(f"Văn bản này chỉ xuất được dạng {', '.join(allowed)}.")


def consolidated(sub: Submission, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx", "pdf"))
    name = f"dang-ky-{sub.unit.code}-{sub.round.year}"
    if fmt == "xlsx":
        return Rendered(form_xlsx_bytes(fd.form_only(sub)), f"{name}.xlsx", fmt)
    docx = letter_bytes(fd.consolidated_registration(sub))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"{name}.{fmt}", fmt)


def dossier_list(sub: Submission, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx"))
    table = fd.dossier_list(sub)
    data = simple_table_xlsx_bytes(table) if fmt == "xlsx" else simple_table_docx_bytes(table)
    return Rendered(data, f"danh-sach-{sub.unit.code}-{sub.round.year}.{fmt}", fmt)


def launch(rnd: RegistrationRound, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "pdf"))
    docx = letter_bytes(fd.launch_letter(rnd))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"phat-dong-{rnd.issuer.code}-{rnd.year}.{fmt}", fmt)


def reminder(rnd: RegistrationRound, lagging: list[Submission], fmt: str) -> Rendered:
    need_format(fmt, ("docx", "pdf"))
    docx = letter_bytes(fd.reminder_letter(rnd, lagging))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"don-doc-{rnd.issuer.code}-{rnd.year}.{fmt}", fmt)


def blank(fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx"))
    spec = blank_form()
    data = form_xlsx_bytes(spec) if fmt == "xlsx" else form_docx_bytes(spec)
    return Rendered(data, f"bieu-mau-dang-ky-mo-hinh.{fmt}", fmt)
