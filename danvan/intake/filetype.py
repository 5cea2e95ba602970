"""Recognize an uploaded file and refuse the dangerous or unreadable ones.

Everything here runs BEFORE python-docx/openpyxl see the bytes: type by magic
bytes (never by extension), size, zip-bomb bounds, password protection, and
the old binary formats (optionally converted with LibreOffice).
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal

from danvan.foundation import officefile, soffice
from danvan.foundation.numbers import number
from danvan.foundation.officefile import office_kind

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


def too_large(filename: str, size: int, limit: int) -> IntakeError:
    return IntakeError(
        TOO_LARGE,
        f"Tệp «{filename}» nặng {_mb(size)} MB, vượt giới hạn {_mb(limit)} MB. "
        "Hãy bớt hình ảnh hoặc chia thành nhiều tệp.",
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
    if len(data) > limits.upload_bytes:
        raise too_large(filename, len(data), limits.upload_bytes)
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
    """Refuse encrypted parts, then what the shared Office guard refuses (zip bombs, huge sheets, merges,
    dimensions, rows, cells, sheets — ``danvan.foundation.officefile``), before any reader expands the file."""
    if any(info.flag_bits & 0x1 for info in zf.infolist()):
        raise encrypted(filename)
    try:
        officefile.check_zip(zf, filename, limits.bounds())
    except officefile.Refused as exc:
        raise IntakeError(CORRUPT if exc.code == "corrupt" else ZIP_BOMB, exc.message) from exc


def _read_small(zf: zipfile.ZipFile, name: str, limit: int = 4096) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _sniff_zip(data: bytes, filename: str, limits: Limits, convert: bool) -> Sniffed:
    zf = _open_zip(data, filename)
    with zf:
        check_zip_bounds(zf, filename, limits)
        names = set(zf.namelist())
        try:
            if kind := office_kind(names):
                return Sniffed(kind, data)
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
