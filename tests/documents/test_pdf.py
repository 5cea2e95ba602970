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


def _fonts(data: bytes, tmp_path: Path) -> list[str]:
    """The PDF's font list as poppler's pdffonts reads it (subset prefixes removed)."""
    target = tmp_path / "fonts.pdf"
    target.write_bytes(data)
    out = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    return sorted({line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()})


@needs_pdf
def test_every_letter_of_seed_001_in_one_face_without_fallback(tmp_path):
    """Issue 16 §9: "ế", "ủ" and the "⁰" of "25⁰C" are in the font the letter asks for; no fallback font
    (DejaVu) appears in the PDF's font list — Times New Roman is always replaced by Tinos."""
    data = pdf.convert_once(letter_bytes(cover_letter()), "docx")
    fonts = _fonts(data, tmp_path)
    assert fonts and all(name.startswith("Tinos") for name in fonts), fonts
    assert pdf.pdf_fonts(data) == fonts
    target = tmp_path / "seed001.pdf"
    target.write_bytes(data)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "25⁰C" in text and "tiết kiệm" in text and "Trần Công Hòa" in text


needs_server = pytest.mark.skipif(
    not (pdf.pdf_available() and POPPLER and pdf.find_uno_python()),
    reason="LibreOffice, python3-uno or poppler-utils not installed: the kept LibreOffice not checked",
)


@pytest.fixture(scope="module")
def pdf_server(tmp_path_factory):
    port = pdf.free_port()
    process = pdf.start_server("127.0.0.1", port, tmp_path_factory.mktemp("var"))
    yield f"127.0.0.1:{port}"
    pdf.stop_server(process)


@needs_server
def test_kept_libreoffice_gives_the_same_pdf_and_falls_back_when_gone(pdf_server, monkeypatch, tmp_path):
    """Issue 16 §9: with DANVAN_PDF_SERVER the conversion goes to the kept LibreOffice (the one-shot way is
    never started), same pages, same text, same fonts; when that server does not answer, the slow way still
    gives the PDF."""
    source = letter_bytes(cover_letter())
    once = pdf.convert_once(source, "docx")
    monkeypatch.setenv("DANVAN_PDF_SERVER", pdf_server)
    calls = []
    monkeypatch.setattr(pdf, "convert_once", lambda *a, **k: calls.append(a) or once)
    kept = pdf.to_pdf(source, "docx")
    assert calls == [] and kept.startswith(b"%PDF")
    a, b = tmp_path / "once.pdf", tmp_path / "kept.pdf"
    a.write_bytes(once)
    b.write_bytes(kept)
    assert _page_count(a) == _page_count(b)
    for page in range(1, _page_count(a) + 1):
        assert _page_text(a, page) == _page_text(b, page), page
    assert _fonts(kept, tmp_path) == _fonts(once, tmp_path)
    # A spreadsheet is converted once (LibreOffice 7.4's Calc does not load bytes under unoserver).
    pdf.to_pdf(form_xlsx_bytes(FormSpec(groups=GROUPS)), "xlsx")
    assert len(calls) == 1 and calls[0][1] == "xlsx"
    calls.clear()
    # Nobody listening: the one-shot way answers.
    monkeypatch.setenv("DANVAN_PDF_SERVER", f"127.0.0.1:{pdf.free_port()}")
    assert pdf.to_pdf(source, "docx") == once and len(calls) == 1
