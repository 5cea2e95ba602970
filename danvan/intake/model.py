"""Result types of the registration-form parser (re-exported by ``parser``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["collective", "individual"]
Origin = Literal["new", "replication"]

# IntakeError codes.
EMPTY = "empty"
TOO_LARGE = "too_large"
NOT_OFFICE = "not_office"
CORRUPT = "corrupt"
ENCRYPTED = "encrypted"
LEGACY_FORMAT = "legacy_format"
ZIP_BOMB = "zip_bomb"
NO_FORM = "no_form"
TOO_MANY = "too_many_exemplars"


@dataclass(frozen=True)
class Warning:  # shadows the builtin on purpose: public API name
    code: str
    message: str


@dataclass
class ParsedExemplar:
    row_no: int
    field_label: str
    name: str
    kind: Kind | None
    origin: Origin | None
    address: str
    problem_html: str
    actors_html: str
    results_html: str
    warnings: list[Warning] = field(default_factory=list)


@dataclass
class ParseResult:
    filename: str
    sha256: str
    exemplars: list[ParsedExemplar]
    warnings: list[Warning] = field(default_factory=list)


class IntakeError(Exception):
    """A file that cannot be read as a registration form; ``message`` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"IntakeError({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile or absurd file from eating the server.

    The ones left None come from settings (DANVAN_UPLOAD_MAX_BYTES, the Office guard's DANVAN_OFFICE_*,
    DANVAN_XLSX_*, DANVAN_DOCX_*; cells: DANVAN_FORM_MAX_CELLS), see ``danvan.foundation.officefile``.
    """

    max_bytes: int | None = None
    max_uncompressed: int | None = None
    max_part_bytes: int | None = None
    max_ratio: int | None = None
    max_zip_entries: int | None = None
    max_sheets: int | None = None
    max_cells: int | None = None  # XLSX cells loaded by openpyxl (written and merged)
    max_exemplars: int = 2000
    max_rows: int = 10_000  # table rows (DOCX) or filled rows (XLSX), all tables together
    max_columns: int = 60
    convert_timeout: float = 90.0

    @property
    def upload_bytes(self) -> int:
        from danvan.foundation.officefile import setting

        return self.max_bytes if self.max_bytes is not None else setting("DANVAN_UPLOAD_MAX_BYTES")

    def bounds(self):
        """The Office guard's bounds for a registration form."""
        from danvan.foundation.officefile import Bounds, setting

        cells = self.max_cells if self.max_cells is not None else setting("DANVAN_FORM_MAX_CELLS")
        return Bounds.from_settings(
            max_entries=self.max_zip_entries, max_uncompressed=self.max_uncompressed,
            max_part_bytes=self.max_part_bytes, max_ratio=self.max_ratio, max_sheets=self.max_sheets,
            max_cells=cells, max_docx_cells=cells)
