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
    """Bounds that keep a hostile or absurd file from eating the server."""

    max_bytes: int = 20 * 1024 * 1024
    max_uncompressed: int = 200 * 1024 * 1024
    max_part_bytes: int = 40 * 1024 * 1024  # one XML part (document.xml, a sheet)
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024  # parts smaller than this skip the ratio test
    max_zip_entries: int = 5000
    max_exemplars: int = 2000
    max_rows: int = 10_000  # table rows (DOCX) or filled rows (XLSX), all tables together
    max_cells: int = 200_000  # XLSX cells loaded by openpyxl
    max_columns: int = 60
    convert_timeout: float = 90.0
