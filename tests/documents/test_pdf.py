"""PDF through LibreOffice: portrait letter, landscape appendix, repeated header."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from danvan.documents import pdf
from danvan.documents.form_table import FormSpec
from danvan.documents.letter import letter_bytes
from danvan.documents.xlsx import form_xlsx_bytes

from .seed001 import GROUPS, cover_letter

POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "pdftotext"))
needs_pdf = pytest.mark.skipif(
    not (pdf.pdf_available() and POPPLER),
    reason="LibreOffice (soffice) or poppler-utils not installed: PDF rendering not checked",
)


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def _page_text(path: Path, page: int) -> str:
    command = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_missing_libreoffice_raises_vietnamese_message(monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    assert not pdf.pdf_available()
    with pytest.raises(pdf.PdfUnavailable) as error:
        pdf.to_pdf(b"PK", "docx")
    assert str(error.value) == (
        "Máy chủ chưa cài LibreOffice nên không tạo được PDF; hãy tải bản Word."
    )


@needs_pdf
def test_seed_001_renders_portrait_letter_and_landscape_appendix(tmp_path):
    target = tmp_path / "seed001.pdf"
    target.write_bytes(pdf.to_pdf(letter_bytes(cover_letter()), "docx"))
    pages = _page_count(target)
    assert pages >= 3
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(target), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    sizes = [_png_size(image) for image in images]
    assert sizes[0][0] < sizes[0][1], "the letter is portrait"
    assert all(w > h for w, h in sizes[1:]), "the appendix is landscape"
    letter = _page_text(target, 1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letter
    assert "Trần Công Hòa" in letter
    for page in range(2, pages + 1):
        text = _page_text(target, page)
        for header in ("STT", "HÌNH THỨC", "TRONG ĐÓ", "Địa chỉ"):
            assert header in text, f"header {header!r} missing on page {page}"


@needs_pdf
def test_xlsx_prints_landscape(tmp_path):
    target = tmp_path / "form.pdf"
    target.write_bytes(pdf.to_pdf(form_xlsx_bytes(FormSpec(groups=GROUPS)), ".xlsx"))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(target), str(tmp_path / "x")],
        check=True,
    )
    width, height = _png_size(next(tmp_path.glob("x-*.png")))
    assert width > height
    assert "HÌNH THỨC" in _page_text(target, 1)
