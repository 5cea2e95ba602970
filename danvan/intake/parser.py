"""Read a filled registration form (Word or Excel) into exemplars.

    result = parse_form(data, "dang-ky-2021.docx")
    for ex in result.exemplars: ...

The form is found by its column headers in any table (nested ones too),
wherever it sits in the document and however it is split across pages.
Unreadable or dangerous files raise ``IntakeError`` with a Vietnamese message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .filetype import corrupt, sniff
from .form import EXPECTED_HEADERS, Assembler, Layout, block_rows, row_values
from .grid import Block, TooManyRows, docx_blocks, xlsx_blocks
from .model import (
    NO_FORM,
    TOO_MANY,
    IntakeError,
    Limits,
    ParsedExemplar,
    ParseResult,
    Warning,
)

__all__ = [
    "IntakeError",
    "Limits",
    "ParseResult",
    "ParsedExemplar",
    "Warning",
    "parse_form",
]

DEFAULT_LIMITS = Limits()


def parse_form(
    data: bytes,
    filename: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    convert_legacy: bool = True,
) -> ParseResult:
    """Parse a registration form; dispatch on the real file type, not the extension.

    ``convert_legacy``: convert .doc/.xls/.odt/.ods with LibreOffice when it is
    installed (with a timeout) instead of refusing them.
    """
    shown = display_name(filename)
    sniffed = sniff(data, shown, limits, convert_legacy)
    try:
        if sniffed.kind == "docx":
            blocks: Iterable[Block] = docx_blocks(sniffed.data, limits.max_rows)
        else:
            blocks = xlsx_blocks(sniffed.data, limits.max_rows, limits.max_columns)
        exemplars, warnings = _assemble(blocks, shown, limits)
    except TooManyRows as exc:
        raise IntakeError(
            TOO_MANY,
            f"Tệp «{shown}» có hơn {limits.max_rows} dòng trong bảng, quá lớn cho một biểu "
            "đăng ký. Hãy chia thành nhiều tệp.",
        ) from exc
    except IntakeError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # zipfile / lxml / openpyxl on a damaged file
        raise corrupt(shown) from exc
    if sniffed.converted_from:
        warnings.insert(
            0,
            Warning(
                "converted",
                f"Tệp định dạng cũ ({sniffed.converted_from}) đã được tự động chuyển sang "
                f".{sniffed.kind}; hãy kiểm tra kỹ kết quả đọc được.",
            ),
        )
    return ParseResult(
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        exemplars=exemplars,
        warnings=warnings,
    )


def display_name(filename: str) -> str:
    """The file's own name for messages ("C:\\fakepath\\a.docx" -> "a.docx")."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    return name or "không tên"


def _assemble(
    blocks: Iterable[Block], filename: str, limits: Limits
) -> tuple[list[ParsedExemplar], list[Warning]]:
    asm = Assembler(max_exemplars=limits.max_exemplars, max_rows=limits.max_rows, filename=filename)
    found = False
    last: tuple[Block, Layout] | None = None
    for block in blocks:
        inherited = None
        if last is not None and _continues(last[0], block):
            inherited = last[1]
        layout, rows = block_rows(block, inherited)
        if layout is None:
            continue
        found = True
        last = (block, layout)
        has_stt = "stt" in layout.mapping
        for idx, row in rows:
            row_label = block.row_labels[idx] if block.row_labels else f"dòng {idx + 1}"
            asm.feed(row_values(row, layout.mapping), f"{block.label}, {row_label}", has_stt)
    if not found:
        raise IntakeError(
            NO_FORM,
            f"Không tìm thấy bảng đăng ký mô hình, điển hình trong tệp «{filename}». Cần một "
            f"bảng có các cột: {EXPECTED_HEADERS}.",
        )
    return asm.result(), asm.warnings


def _continues(prev: Block, block: Block) -> bool:
    """A header-less DOCX table right after a form table (same parent), same columns."""
    return (
        block.label.startswith("bảng")
        and block.ncols == prev.ncols
        and block.parent == prev.parent
        and block.sibling == prev.sibling + 1
    )
