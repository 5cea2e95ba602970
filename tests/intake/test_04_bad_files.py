"""Files that are not a readable form: a clear Vietnamese IntakeError, never a crash or hang."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import zipfile
from io import BytesIO

import pytest
from lxml import etree

from danvan.intake import form as intake_form
from danvan.intake import grid
from danvan.intake.filetype import CFB_MAGIC
from danvan.intake.model import Limits
from danvan.intake.parser import IntakeError, parse_form
from danvan.tools.intake_samples import build_docx, build_xlsx, header_rows

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def refused(data: bytes, filename: str, code: str, **kw) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        parse_form(data, filename, **kw)
    err = info.value
    assert err.code == code, err
    assert VIETNAMESE.search(err.message), err.message
    assert err.message.startswith(("Tệp", "Không", "Bảng")), err.message
    return err


def fake_cfb(*stream_names: str) -> bytes:
    """Minimal bytes with the CFB header and directory entry names (UTF-16LE)."""
    body = bytearray(CFB_MAGIC + bytes(504))
    for name in ("Root Entry", *stream_names):
        entry = name.encode("utf-16-le").ljust(64, b"\0") + bytes(64)
        body += entry
    return bytes(body)


def test_random_bytes():
    data = random.Random(7).randbytes(5000)
    err = refused(data, "bieu-mau.docx", "not_office")
    assert err.message == "Tệp «bieu-mau.docx» không phải tệp Word (.docx) hay Excel (.xlsx)."


def test_text_file_renamed_docx():
    refused("Danh sách mô hình\nMô hình 1\n".encode(), "danh-sach.docx", "not_office")


def test_pdf():
    err = refused(b"%PDF-1.7\n...", "bieu.pdf", "not_office")
    assert "PDF" in err.message


def test_empty_file():
    refused(b"", "rong.docx", "empty")


def test_plain_zip_that_is_not_office():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ghi-chu.txt", "xin chào")
    refused(buf.getvalue(), "nen.docx", "not_office")


def test_truncated_zip(seed001_docx):
    refused(seed001_docx[: len(seed001_docx) // 2], "cut.docx", "corrupt")


def test_corrupted_zip_member(seed001_docx):
    zf = zipfile.ZipFile(BytesIO(seed001_docx))
    info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 50
    data = bytearray(seed001_docx)
    data[start : start + 200] = bytes(200)
    refused(bytes(data), "hong.docx", "corrupt")


def test_password_protected_file():
    data = fake_cfb("EncryptionInfo", "EncryptedPackage")
    err = refused(data, "mat-khau.docx", "encrypted")
    assert "đang được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại." in err.message


def test_old_doc_without_conversion():
    err = refused(
        fake_cfb("WordDocument", "1Table"), "cu.doc", "legacy_format", convert_legacy=False
    )
    assert ".docx" in err.message and "Word" in err.message


def test_old_xls_without_conversion():
    err = refused(fake_cfb("Workbook"), "cu.xls", "legacy_format", convert_legacy=False)
    assert ".xlsx" in err.message and "Excel" in err.message


def test_broken_old_doc_with_conversion_still_refused():
    # Whether or not LibreOffice is installed, garbage is refused, not crashed on.
    refused(fake_cfb("WordDocument"), "cu.doc", "legacy_format", limits=Limits(convert_timeout=30))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_real_old_doc_is_converted_with_libreoffice(tmp_path, seed001_docx):
    src = tmp_path / "seed.docx"
    src.write_bytes(seed001_docx)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = parse_form((tmp_path / "seed.doc").read_bytes(), "seed.doc")
    assert [w.code for w in result.warnings] == ["converted"]
    assert [e.kind for e in result.exemplars] == ["collective", "collective", "individual"]
    assert result.exemplars[2].address.endswith("tỉnh Quảng Ngãi")


def test_docx_without_the_form_table():
    data = build_docx(["Kính gửi: Ban Dân vận Tỉnh ủy", [["Nơi nhận:", "KT. GIÁM ĐỐC"]]])
    err = refused(data, "cong-van.docx", "no_form")
    for header in ("TÊN MÔ HÌNH", "Mô hình tập thể", "Địa chỉ", "NỘI DUNG", "Xây dựng mới"):
        assert header in err.message


def test_xlsx_without_the_form_table():
    refused(build_xlsx([["Họ tên", "Điểm"], ["An", 9]]), "diem.xlsx", "no_form")


def test_file_over_20_mb():
    data = b"PK\x03\x04" + bytes(21 * 1024 * 1024)
    err = refused(data, "lon.docx", "too_large")
    assert "20" in err.message


def _bomb(size_mb: int) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(size_mb):
                fh.write(chunk)
    return buf.getvalue()


@pytest.fixture
def inflated(monkeypatch) -> list[int]:
    """Bytes the parser decompresses from ZIP parts (a bound on work, not on the clock)."""
    counted: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def read(self, n=-1):
        out = real_read(self, n)
        counted.append(len(out))
        return out

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return counted


@pytest.fixture
def work(monkeypatch) -> dict[str, int]:
    """Table rows turned into cells and rows fed to the assembler while parsing."""
    counts = {"rows_read": 0, "rows_fed": 0}
    real_row, real_feed = grid._docx_row, intake_form.Assembler.feed

    def docx_row(tr):
        counts["rows_read"] += 1
        return real_row(tr)

    def feed(self, *args, **kw):
        counts["rows_fed"] += 1
        return real_feed(self, *args, **kw)

    monkeypatch.setattr(grid, "_docx_row", docx_row)
    monkeypatch.setattr(intake_form.Assembler, "feed", feed)
    return counts


def test_zip_bomb_total_size(inflated):
    data = _bomb(210)  # 210 MB of spaces, under 1 MB compressed
    assert len(data) < 2 * 1024 * 1024
    refused(data, "bom.docx", "zip_bomb")
    assert sum(inflated) < 64 * 1024  # refused from the directory, the part never inflated


def test_zip_bomb_compression_ratio():
    refused(_bomb(5), "bom-nho.docx", "zip_bomb")  # 5 MB XML at a ratio far above 100


def test_zip_bomb_bound_is_a_parameter():
    refused(_bomb(1), "bom.docx", "zip_bomb", limits=Limits(max_uncompressed=512 * 1024))


def test_xml_entity_expansion_is_not_performed():
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{lol}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", xml)
    with pytest.raises(IntakeError):
        parse_form(buf.getvalue(), "lol.docx")
    try:  # 10^9 "lol" would be 3 GB of text: refused by the parser or left unexpanded
        text = "".join(grid.docx_body(buf.getvalue()).itertext())
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc)
    else:
        assert len(text) < 100


def test_xlsx_cell_count_is_bounded():
    data = build_xlsx([[i, i + 1, i + 2] for i in range(100)])
    refused(data, "nhieu-o.xlsx", "zip_bomb", limits=Limits(max_cells=50))


def _big_form(n: int) -> bytes:
    rows = header_rows()
    rows.append(["I", "Lĩnh vực Tài chính"] + [""] * 6)
    for i in range(1, n + 1):
        rows.append(
            [str(i), f"Mô hình {i}", "X", "", "Quảng Ngãi", f"<p>Nội dung {i}.</p>", "X", ""]
        )
    return build_docx([rows])


@pytest.fixture(scope="module")
def form_3000() -> bytes:
    return _big_form(3000)


# Bounds on work, never on the wall clock (speed is `danvan bench intake`).
HEADER_AND_FIELD_ROWS = len(header_rows()) + 1


def test_3000_rows_are_capped_at_the_limit(form_3000, work):
    err = refused(form_3000, "3000.docx", "too_many_exemplars")
    assert "2000" in err.message
    assert work["rows_fed"] <= 2001 + HEADER_AND_FIELD_ROWS  # stops at the cap, not at row 3000


def test_3000_rows_parse_each_row_once_when_allowed(form_3000, work):
    result = parse_form(form_3000, "3000.docx", limits=Limits(max_exemplars=5000))
    assert len(result.exemplars) == 3000
    assert result.exemplars[-1].name == "Mô hình 3000"
    assert work["rows_read"] == 3000 + HEADER_AND_FIELD_ROWS  # linear: no row read twice
    assert work["rows_fed"] <= work["rows_read"]


def test_row_count_is_checked_before_reading_cells(form_3000, work):
    err = refused(form_3000, "3000.docx", "too_many_exemplars", limits=Limits(max_rows=1000))
    assert "1000 dòng" in err.message
    assert work["rows_read"] == 0


def test_xlsx_row_count_is_bounded():
    data = build_xlsx([[i, f"Mô hình {i}"] for i in range(50)])
    refused(data, "dai.xlsx", "too_many_exemplars", limits=Limits(max_rows=20))
