"""PDF through LibreOffice headless, for previews and signed-copy archives.

Each conversion gets its own temporary directory and LibreOffice profile:
two soffice processes sharing a profile block or fail, and requests run in
parallel on the server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

BINARIES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT = 120
UNAVAILABLE_MESSAGE = "Máy chủ chưa cài LibreOffice nên không tạo được PDF; hãy tải bản Word."
FAILED_MESSAGE = "Không chuyển được tài liệu sang PDF; hãy tải bản Word."


class PdfUnavailable(RuntimeError):
    """LibreOffice is missing (or broke): the caller should offer the DOCX/XLSX."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)
        self.message = message


def find_soffice() -> str | None:
    configured = os.environ.get("DANVAN_SOFFICE")
    if configured and shutil.which(configured):
        return shutil.which(configured)
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_available() -> bool:
    return find_soffice() is not None


def to_pdf(data: bytes, suffix: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Convert DOCX/XLSX bytes (``suffix`` "docx"/".xlsx") to PDF bytes."""
    binary = find_soffice()
    if binary is None:
        raise PdfUnavailable()
    suffix = "." + suffix.lstrip(".").lower()
    with tempfile.TemporaryDirectory(prefix="danvan-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        _run(command, timeout=timeout, home=tmp)
        target = work / "out" / "document.pdf"
        if not target.exists():
            raise PdfUnavailable(FAILED_MESSAGE)
        return target.read_bytes()


def _run(command: list[str], *, timeout: float, home: str) -> None:
    """Run soffice in its own process group so a timeout kills all of it."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "HOME": home},
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise PdfUnavailable(FAILED_MESSAGE) from error
