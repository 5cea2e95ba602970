"""Official letters (công văn, báo cáo) for both document families.

State documents follow Nghị định 30/2020/NĐ-CP, Party documents Hướng dẫn
36-HD/VPTW (DOMAIN.md §7). One builder serves both; the family only changes
header wording, number format, type sizes and signature punctuation.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

from docx.document import Document as DocxDocument
from docx.shared import Pt

from danvan.documents import _ooxml as ox

Family = Literal["state", "party"]
ParaStyle = Literal["body", "left", "center", "right"]

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
DOC_TYPE_NAMES = {
    "CV": "Công văn",
    "BC": "Báo cáo",
    "KH": "Kế hoạch",
    "HD": "Hướng dẫn",
    "TB": "Thông báo",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "TTr": "Tờ trình",
}
# Party signature authority is written with a slash (HD 36-HD/VPTW).
_PARTY_AUTHORITY = {"KT.": "K/T", "TM.": "T/M", "TL.": "T/L"}
# Printed width of NATIONAL_MOTTO in bold 13 pt Times New Roman: the rule under
# the motto is as long as the line (Nghị định 30/2020, Phụ lục I).
MOTTO_WIDTH_MM = 59.0
ISSUER_RULE_MM = 25.0  # one third to one half of the issuer's name
# The header spreads a little into both margins, as in the decree's samples, so
# that "SỞ KHOA HỌC VÀ CÔNG NGHỆ" and the national title fit on one line each.
HEADER_LEFT_MM = 80.0
HEADER_OUTDENT_MM = 8.0


@dataclass(frozen=True)
class Sizes:
    """Type sizes in points for one document family."""

    superior: float
    issuer: float
    national: float
    motto: float
    number: float
    subject: float
    date: float
    body: float
    received: float
    copies: float
    sign: float


STATE_SIZES = Sizes(
    superior=13,
    issuer=13,
    national=12,
    motto=13,
    number=13,
    subject=12,
    date=14,
    body=14,
    received=12,
    copies=11,
    sign=14,
)
PARTY_SIZES = Sizes(
    superior=14,
    issuer=14,
    national=15,
    motto=0,
    number=14,
    subject=12,
    date=14,
    body=14,
    received=14,
    copies=12,
    sign=14,
)


@dataclass(frozen=True)
class Issuer:
    """The body that issues the document, as printed in the header."""

    family: Family
    superior: str  # "UBND TỈNH QUẢNG NGÃI" / "TỈNH ỦY QUẢNG NGÃI"
    name: str  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ" / "BAN DÂN VẬN"
    suffix: str  # "SKHCN-VP" / "BDVTU"
    place: str  # "Quảng Ngãi"
    display_name: str = ""  # "Sở Khoa học và Công nghệ", for "của ..." references

    @property
    def sentence_name(self) -> str:
        return self.display_name or self.name.capitalize()


@dataclass(frozen=True)
class DocDate:
    """A date whose parts may be left blank for the clerk to fill in."""

    day: int | None = None
    month: int | None = None
    year: int | None = None

    @classmethod
    def of(cls, value: dt.date) -> DocDate:
        return cls(value.day, value.month, value.year)

    def long(self, place: str) -> str:
        """Place and date line: "Quảng Ngãi, ngày 03 tháng 10 năm 2022".

        Blank parts keep room for the clerk to write them in by hand.
        """
        day = _pad_day(self.day) if self.day else "    "
        month = _pad_month(self.month) if self.month else "    "
        year = str(self.year) if self.year else "    "
        return f"{place}, ngày {day} tháng {month} năm {year}"

    def short(self) -> str:
        """Short form "27/4/2021"; a blank day gives "/3/2021" as in the seeds."""
        day = _pad_day(self.day) if self.day else ""
        month = _pad_month(self.month) if self.month else ""
        return f"{day}/{month}/{self.year or ''}"


def _pad_day(day: int) -> str:
    return f"{day:02d}" if day < 10 else str(day)


def _pad_month(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass(frozen=True)
class Para:
    """A body paragraph made of runs; ``style`` picks indent and alignment."""

    runs: tuple[Run, ...]
    style: ParaStyle = "body"

    @classmethod
    def of(
        cls, text: str, *, bold: bool = False, italic: bool = False, style: ParaStyle = "body"
    ) -> Para:
        return cls((Run(text, bold=bold, italic=italic),), style)

    @classmethod
    def markup(cls, text: str, *, style: ParaStyle = "body") -> Para:
        """Light markup: ``**bold**`` and ``*italic*``."""
        runs = []
        for part in re.split(r"(\*\*.+?\*\*|\*[^*\s][^*]*?\*)", text):
            if part.startswith("**") and part.endswith("**") and len(part) > 4:
                runs.append(Run(part[2:-2], bold=True))
            elif part.startswith("*") and part.endswith("*") and len(part) > 2:
                runs.append(Run(part[1:-1], italic=True))
            elif part:
                runs.append(Run(part))
        return cls(tuple(runs), style)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def heading(text: str) -> Para:
    """A numbered section heading such as "1. Nội dung thực hiện"."""
    return Para.of(text, bold=True)


def subheading(text: str) -> Para:
    """A lettered sub-heading such as "a) Về quy mô"."""
    return Para.of(text, italic=True)


@dataclass(frozen=True)
class Signature:
    authority: str = ""  # "KT." | "TM." | "TL." (state) or "K/T" | "T/M" | "T/L" (Party)
    authority_title: str = ""  # "GIÁM ĐỐC" / "TRƯỞNG BAN"
    title: str = ""  # "PHÓ GIÁM ĐỐC"
    name: str = ""  # "Trần Công Hòa"

    def lines(self, family: Family) -> list[str]:
        """Bold capital lines above the blank space, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]."""
        authority = self.authority.strip()
        if family == "party":
            authority = _PARTY_AUTHORITY.get(authority, authority)
        out = []
        first = f"{authority} {self.authority_title}".strip()
        if first:
            out.append(first.upper())
        if self.title:
            out.append(self.title.upper())
        return out


class Appendix(Protocol):
    """Anything that can append itself (usually a new section) to a document."""

    def add_to(self, doc: DocxDocument) -> None: ...


@dataclass
class LetterSpec:
    issuer: Issuer
    number: str = ""
    doc_type: str = "CV"
    date: DocDate = field(default_factory=DocDate)
    subject: str = ""  # "V/v ..." (letters); reports use ``title`` instead
    title: str = ""  # "BÁO CÁO\nKết quả ..." centred under the header
    recipients: list[str] = field(default_factory=list)
    body: list[str | Para] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    appendices: list[Appendix] = field(default_factory=list)

    @property
    def family(self) -> Family:
        return self.issuer.family

    @property
    def sizes(self) -> Sizes:
        return PARTY_SIZES if self.family == "party" else STATE_SIZES


def bare_number(typed: str) -> str:
    """The register number alone from what a clerk typed: "125", "Số: 125/SKHCN-VP", "624-CV/BDVTU" →
    "125", "125", "624" — the issuer's code is printed once, by `number_code`."""
    number = re.sub(r"^\s*số\s*:?\s*", "", typed.strip(), flags=re.IGNORECASE)
    return re.split(r"[/-]", number, maxsplit=1)[0].strip() if re.match(r"^\d", number) else number


def number_code(spec: LetterSpec) -> str:
    """The number without "Số": "/SKHCN-VP", "12/KH-SKHCN", "624-CV/BDVTU"."""
    return code_of(bare_number(spec.number), spec.family, spec.doc_type, spec.issuer.suffix)


def code_of(number: str, family: str, doc_type: str, suffix: str) -> str:
    """One rule for a document's number and code, printed and kept in the outgoing register alike."""
    if family == "party":
        return f"{number}-{doc_type or 'CV'}/{suffix}"
    if doc_type in ("", "CV"):
        return f"{number}/{suffix}"
    # Typed state documents carry type + issuer, without the drafting unit:
    # "Số: 12/KH-SKHCN" (Nghị định 30/2020, Phụ lục I).
    return f"{number}/{doc_type}-{suffix.split('-')[0]}"


def number_line(spec: LetterSpec) -> str:
    """State "Số: /SKHCN-VP"; Party "Số 624-CV/BDVTU" (no colon)."""
    if spec.family == "party":
        return f"Số {number_code(spec)}"
    return f"Số: {number_code(spec)}"


def reference(spec: LetterSpec) -> str:
    """How other documents cite this one.

    "Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ".
    """
    kind = DOC_TYPE_NAMES.get(spec.doc_type, "Công văn")
    separator = " số " if spec.family == "party" else " số: "
    return (
        f"{kind}{separator}{number_code(spec)} ngày {spec.date.short()} "
        f"của {spec.issuer.sentence_name}"
    )


def attachment_line(spec: LetterSpec) -> str:
    """The appendix line naming the letter it belongs to."""
    return f"(Kèm theo {reference(spec)})"


# --- building ----------------------------------------------------------------


def build_letter(spec: LetterSpec) -> DocxDocument:
    doc = ox.new_document()
    ox.add_page_numbers(doc.sections[0])
    column = ox.text_width_mm(doc.sections[0])
    _header(doc, spec, column)
    _title(doc, spec)
    _recipients(doc, spec)
    _body(doc, spec)
    _closing(doc, spec, column)
    for appendix in spec.appendices:
        appendix.add_to(doc)
    return doc


def letter_bytes(spec: LetterSpec) -> bytes:
    return document_bytes(build_letter(spec))


def document_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _header(doc: DocxDocument, spec: LetterSpec, column: float) -> None:
    """Two borderless columns: issuing body on the left, national/Party title right."""
    widths = [HEADER_LEFT_MM, column + HEADER_OUTDENT_MM * 2 - HEADER_LEFT_MM]
    rows = 3 if spec.subject else 2
    table = ox.borderless_table(doc, widths, rows, indent_mm=-HEADER_OUTDENT_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    _issuer_block(left, spec, widths[0])
    if spec.family == "party":
        _party_title_block(right, spec)
    else:
        _national_block(right, spec, widths[1])
    number = ox.fmt_paragraph(table.cell(1, 0).paragraphs[0], align="center", before=4)
    ox.add_text(number, number_line(spec), size=spec.sizes.number)
    if spec.family == "state":
        date = ox.fmt_paragraph(table.cell(1, 1).paragraphs[0], align="center", before=4)
        ox.add_text(date, spec.date.long(spec.issuer.place), size=spec.sizes.date, italic=True)
    if spec.subject:
        subject = ox.fmt_paragraph(table.cell(2, 0).paragraphs[0], align="center", before=2)
        ox.add_text(subject, spec.subject, size=spec.sizes.subject, italic=spec.family == "party")


def _issuer_block(cell, spec: LetterSpec, width: float) -> None:
    sizes = spec.sizes
    superior = ox.fmt_paragraph(cell.paragraphs[0], align="center")
    ox.add_text(superior, spec.issuer.superior.upper(), size=sizes.superior)
    name = ox.fmt_paragraph(cell.add_paragraph(), align="center")
    ox.add_text(name, spec.issuer.name.upper(), size=sizes.issuer, bold=True)
    if spec.family == "party":
        star = ox.fmt_paragraph(cell.add_paragraph(), align="center")
        ox.add_text(star, "*", size=sizes.issuer)
    else:
        ox.rule(cell, width_mm=ISSUER_RULE_MM, column_mm=width)


def _national_block(cell, spec: LetterSpec, width: float) -> None:
    title = ox.fmt_paragraph(cell.paragraphs[0], align="center")
    ox.add_text(title, NATIONAL_TITLE, size=spec.sizes.national, bold=True)
    motto = ox.fmt_paragraph(cell.add_paragraph(), align="center")
    ox.add_text(motto, NATIONAL_MOTTO, size=spec.sizes.motto, bold=True)
    ox.rule(cell, width_mm=MOTTO_WIDTH_MM, column_mm=width)


def _party_title_block(cell, spec: LetterSpec) -> None:
    title = ox.fmt_paragraph(cell.paragraphs[0], align="center")
    ox.add_text(title, PARTY_TITLE, size=spec.sizes.national, bold=True, underline=True)
    date = ox.fmt_paragraph(cell.add_paragraph(), align="center", before=14)
    ox.add_text(date, spec.date.long(spec.issuer.place), size=spec.sizes.date, italic=True)


def _title(doc: DocxDocument, spec: LetterSpec) -> None:
    """Reports carry a centred bold title instead of a "V/v" line."""
    for index, line in enumerate(t for t in spec.title.split("\n") if t.strip()):
        paragraph = ox.fmt_paragraph(
            doc.add_paragraph(), align="center", before=12 if index == 0 else 0
        )
        ox.add_text(paragraph, line.upper() if index == 0 else line, size=14, bold=True)


def _recipients(doc: DocxDocument, spec: LetterSpec) -> None:
    size = spec.sizes.body
    names = [r.strip() for r in spec.recipients if r and r.strip()]
    if not names:
        return
    if len(names) == 1:
        paragraph = ox.fmt_paragraph(doc.add_paragraph(), align="center", before=12, after=6)
        ox.add_text(paragraph, f"Kính gửi: {names[0]}", size=size)
        return
    paragraph = ox.fmt_paragraph(doc.add_paragraph(), left_mm=20, before=12)
    ox.add_text(paragraph, "Kính gửi:", size=size)
    for line in list_lines(names, spec.family, last_mark=None):
        item = ox.fmt_paragraph(doc.add_paragraph(), left_mm=40)
        ox.add_text(item, line, size=size)
    item.paragraph_format.space_after = Pt(6)


def list_lines(items: list[str], family: Family, *, last_mark: str | None = ".") -> list[str]:
    """List lines "- X;" (Party: "- X,"); the last one ends with ``last_mark``."""
    mark = "," if family == "party" else ";"
    texts = [re.sub(r"^[-–+•]\s*", "", s.strip()).rstrip(";,.").strip() for s in items]
    texts = [t for t in texts if t]
    lines = [f"- {t}{mark}" for t in texts]
    if lines and last_mark:
        lines[-1] = f"- {texts[-1]}{last_mark}"
    return lines


def _body(doc: DocxDocument, spec: LetterSpec) -> None:
    for item in spec.body:
        para = item if isinstance(item, Para) else Para.of(item)
        paragraph = doc.add_paragraph()
        if para.style == "body":
            ox.fmt_paragraph(paragraph, align="justify", first_indent_mm=10, before=6)
        else:
            ox.fmt_paragraph(paragraph, align=para.style, before=6)
        for run in para.runs:
            ox.add_text(
                paragraph,
                run.text,
                size=spec.sizes.body,
                bold=run.bold,
                italic=run.italic,
                underline=run.underline,
            )


def _closing(doc: DocxDocument, spec: LetterSpec, column: float) -> None:
    """The "Nơi nhận" list on the left, the signature block on the right."""
    spacer = ox.fmt_paragraph(doc.add_paragraph(), after=0)
    ox.add_text(spacer, "", size=8)
    widths = [column * 0.48, column * 0.52]
    table = ox.borderless_table(doc, widths)
    _copies_block(table.cell(0, 0), spec)
    _signature_block(table.cell(0, 1), spec)


def _copies_block(cell, spec: LetterSpec) -> None:
    if not spec.copies:
        return
    sizes = spec.sizes
    head = ox.fmt_paragraph(cell.paragraphs[0])
    if spec.family == "party":
        ox.add_text(head, "Nơi nhận:", size=sizes.received, underline=True)
    else:
        ox.add_text(head, "Nơi nhận:", size=sizes.received, bold=True, italic=True)
    for line in list_lines(spec.copies, spec.family):
        ox.add_text(ox.fmt_paragraph(cell.add_paragraph()), line, size=sizes.copies)


def _signature_block(cell, spec: LetterSpec) -> None:
    size = spec.sizes.sign
    used = [False]
    for line in spec.signature.lines(spec.family):
        paragraph = ox.fmt_paragraph(ox.cell_paragraph(cell, used), align="center")
        ox.add_text(paragraph, line, size=size, bold=True)
    name = ox.fmt_paragraph(ox.cell_paragraph(cell, used), align="center", before=80)
    ox.add_text(name, spec.signature.name, size=size, bold=True)
