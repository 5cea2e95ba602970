"""Recognize an uploaded file and refuse the dangerous or unreadable ones.

Everything here runs BEFORE python-docx/openpyxl see the bytes: type by magic
bytes (never by extension), size, zip-bomb bounds, password protection, and
the old binary formats (optionally converted with LibreOffice).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal

from danvan.core import soffice
from danvan.core.numbers import number

from .model import (
    CORRUPT,
    EMPTY,
    ENCRYPTED,
    LEGACY_FORMAT,
    NOT_OFFICE,
    TOO_LARGE,
    ZIP_BOMB,
    IntakeError,
    Limits,
)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1024 * 1024

OfficeKind = Literal["docx", "xlsx"]
_CELL_RE = re.compile(rb"<(?:\w+:)?c[\s/>]")


@dataclass
class Sniffed:
    kind: OfficeKind
    data: bytes
    converted_from: str = ""  # ".doc", ".xls", ".odt", ".ods" when LibreOffice converted it


def _mb(n: int) -> str:
    return number(n / _MB, 1)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def not_office(filename: str) -> IntakeError:
    return IntakeError(
        NOT_OFFICE, f"Tệp «{filename}» không phải tệp Word (.docx) hay Excel (.xlsx)."
    )


def corrupt(filename: str) -> IntakeError:
    return IntakeError(
        CORRUPT,
        f"Tệp «{filename}» bị hỏng hoặc tải lên chưa hết nên không mở được. "
        "Hãy mở thử bằng Word/Excel, lưu lại rồi tải lên lại.",
    )


def encrypted(filename: str) -> IntakeError:
    return IntakeError(
        ENCRYPTED,
        f"Tệp «{filename}» đang được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại.",
    )


def zip_bomb(filename: str, size: int) -> IntakeError:
    return IntakeError(
        ZIP_BOMB,
        f"Tệp «{filename}» khi giải nén lớn bất thường (khoảng {_mb(size)} MB) nên không "
        "được xử lý. Nếu đây là biểu mẫu thật, hãy mở bằng Word/Excel, lưu lại rồi tải lên lại.",
    )


_LEGACY = {
    ".doc": ("docx", "Word 97–2003 (.doc)", "Word", "Tài liệu Word (*.docx)"),
    ".xls": ("xlsx", "Excel 97–2003 (.xls)", "Excel", "Sổ làm việc Excel (*.xlsx)"),
    ".odt": ("docx", "OpenDocument (.odt)", "Word hoặc LibreOffice", "Tài liệu Word (*.docx)"),
    ".ods": ("xlsx", "OpenDocument (.ods)", "Excel hoặc LibreOffice", "Sổ làm việc Excel (*.xlsx)"),
}


def legacy(filename: str, ext: str) -> IntakeError:
    _, label, app, save_as = _LEGACY[ext]
    return IntakeError(
        LEGACY_FORMAT,
        f"Tệp «{filename}» có định dạng cũ {label}. Hãy mở bằng {app}, chọn "
        f"Tệp › Lưu thành (Save As) › {save_as} rồi tải lên lại.",
    )


def sniff(data: bytes, filename: str, limits: Limits, convert_legacy: bool = True) -> Sniffed:
    """Return the real type of ``data`` (docx/xlsx) or raise IntakeError."""
    if not data:
        raise IntakeError(EMPTY, f"Tệp «{filename}» rỗng (0 byte).")
    if len(data) > limits.max_bytes:
        raise IntakeError(
            TOO_LARGE,
            f"Tệp «{filename}» nặng {_mb(len(data))} MB, vượt giới hạn "
            f"{_mb(limits.max_bytes)} MB. Hãy bớt hình ảnh hoặc chia thành nhiều tệp.",
        )
    if data.startswith(CFB_MAGIC):
        return _sniff_cfb(data, filename, limits, convert_legacy)
    if data.startswith(ZIP_MAGIC):
        return _sniff_zip(data, filename, limits, convert_legacy)
    if data.startswith(b"%PDF"):
        raise IntakeError(
            NOT_OFFICE,
            f"Tệp «{filename}» là PDF nên không đọc được bảng; hãy tải lên bản Word (.docx) "
            "hoặc Excel (.xlsx) của biểu mẫu.",
        )
    raise not_office(filename)


def _sniff_cfb(data: bytes, filename: str, limits: Limits, convert: bool) -> Sniffed:
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise encrypted(filename)
    if _utf16("WordDocument") in data:
        ext = ".doc"
    elif _utf16("Workbook") in data or _utf16("Book") in data:
        ext = ".xls"
    else:
        raise not_office(filename)
    return _convert_or_refuse(data, filename, ext, limits, convert)


def _open_zip(data: bytes, filename: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except Exception as exc:  # BadZipFile, OSError, struct errors, …
        raise corrupt(filename) from exc


def check_zip_bounds(zf: zipfile.ZipFile, filename: str, limits: Limits) -> None:
    """Refuse zip bombs using the sizes declared in the central directory.

    zipfile never inflates more than an entry's declared size (it fails the
    CRC check instead), so these declared sizes bound the real work.
    """
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if len(infos) > limits.max_zip_entries or total > limits.max_uncompressed:
        raise zip_bomb(filename, total)
    for info in infos:
        if info.flag_bits & 0x1:
            raise encrypted(filename)
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        if info.file_size > limits.max_part_bytes:
            raise zip_bomb(filename, total)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise zip_bomb(filename, total)


def _read_small(zf: zipfile.ZipFile, name: str, limit: int = 4096) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _sniff_zip(data: bytes, filename: str, limits: Limits, convert: bool) -> Sniffed:
    zf = _open_zip(data, filename)
    with zf:
        check_zip_bounds(zf, filename, limits)
        names = set(zf.namelist())
        try:
            if "word/document.xml" in names:
                return Sniffed("docx", data)
            if "xl/workbook.xml" in names:
                count_xlsx_cells(zf, filename, limits)
                return Sniffed("xlsx", data)
            if "mimetype" in names:
                mime = _read_small(zf, "mimetype")
                if mime.startswith(b"application/vnd.oasis.opendocument.text"):
                    return _convert_or_refuse(data, filename, ".odt", limits, convert)
                if mime.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return _convert_or_refuse(data, filename, ".ods", limits, convert)
        except IntakeError:
            raise
        except Exception as exc:
            raise corrupt(filename) from exc
    raise not_office(filename)


def count_xlsx_cells(zf: zipfile.ZipFile, filename: str, limits: Limits) -> int:
    """Count the cells of every sheet by streaming, before openpyxl loads them all."""
    total = 0
    limit_text = number(limits.max_cells)
    for name in zf.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with zf.open(name) as fh:
            while chunk := fh.read(1 << 20):
                total += len(_CELL_RE.findall(chunk))
                if total > limits.max_cells:
                    raise IntakeError(
                        ZIP_BOMB,
                        f"Tệp «{filename}» có hơn {limit_text} ô dữ liệu, quá lớn cho một "
                        "biểu đăng ký; hãy chỉ giữ lại bảng biểu mẫu.",
                    )
    return total


def soffice_path() -> str | None:
    return soffice.find()


def _convert_or_refuse(
    data: bytes, filename: str, ext: str, limits: Limits, convert: bool
) -> Sniffed:
    target = _LEGACY[ext][0]
    exe = soffice_path() if convert else None
    if exe:
        converted = convert_with_libreoffice(exe, data, ext, target, limits.convert_timeout)
        if converted and converted.startswith(ZIP_MAGIC):
            sniffed = _sniff_zip(converted, filename, limits, convert=False)
            if sniffed.kind == target:
                sniffed.converted_from = ext
                return sniffed
    raise legacy(filename, ext)


def convert_with_libreoffice(
    exe: str, data: bytes, ext: str, target: str, timeout: float
) -> bytes | None:
    """Convert with ``soffice --headless --convert-to``; None on failure or timeout."""
    with tempfile.TemporaryDirectory(prefix="danvan-intake-") as tmp:
        src = Path(tmp) / f"input{ext}"
        src.write_bytes(data)
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            soffice.run(cmd, timeout=timeout)
        except soffice.Timeout:
            return None
        out = Path(tmp) / f"input.{target}"
        return out.read_bytes() if out.is_file() else None
