"""Issue 21 §7, bounds before work: the red-team's files through the doors (pages, API, CLI).

Every malicious file is built here by hand with zipfile and weighs a few kilobytes. Memory safety is shown by
bounds on work, never by a clock: the guard refuses before openpyxl (or the docx reader) is ever called, an
oversized upload never reaches the view, and nothing is stored.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from danvan.foundation import officefile
from danvan.intake.models import ImportBatch, ImportFile, ImportRow
from danvan.onboarding.models import ImportRun
from danvan.tools.intake_samples import build_seed001_docx

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TREE_HEAD = "code,name,parent_code,level,kind,header_name,superior_name,doc_suffix,place_name,address,doc_family\n"


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _xlsx(sheets: list[str], *, declared: int | None = None) -> bytes:
    """A workbook whose sheets are the given worksheet XML texts (``declared``: sheets named in workbook.xml)."""
    n = len(sheets) if declared is None else declared
    workbook = (f'<workbook xmlns="{MAIN}"><sheets>'
                + "".join(f'<sheet name="S{i}" sheetId="{i}"/>' for i in range(1, n + 1)) + "</sheets></workbook>")
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": workbook}
    for i, body in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = body
    return _zip(parts)


def _sheet(data: str = "", *, dimension: str = "A1:B2", merges: str = "") -> str:
    tail = f'<mergeCells count="1">{merges}</mergeCells>' if merges else ""
    return (f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'
            f'{data or "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>STT</t></is></c></row>"}'
            f"</sheetData>{tail}</worksheet>")


MERGED_BOMB = _xlsx([_sheet(merges='<mergeCell ref="A2:XFD1048576"/>')])


def _prefixed_cells(n: int) -> bytes:
    """``n`` cells written `<x:c>` (a prefix bound to the spreadsheet namespace) in one row."""
    cells = "".join(f'<x:c r="A{i}"/>' for i in range(1, n + 1))
    return _xlsx([f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1">{cells}</x:row></x:sheetData>'
                  "</x:worksheet>"])


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Any call into openpyxl's reader (or the docx body reader) fails the test: the guard must refuse first."""
    import openpyxl

    from danvan.intake import grid
    from danvan.onboarding import tables

    calls: list[str] = []

    def boom(*a, **k):
        calls.append("reader")
        raise AssertionError("the file reached a reader before the guard refused it")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    monkeypatch.setattr(tables, "load_workbook", boom)
    monkeypatch.setattr(grid, "docx_body", boom)
    yield calls
    assert calls == [], "a reader was called before the guard refused the file"


def _counts():
    return ImportBatch.objects.count(), ImportFile.objects.count(), ImportRow.objects.count(), ImportRun.objects.count()


def _intake_page(client, units, *files):
    return client.post("/nhap-bieu-mau/", {"unit": units["SKHCN-QNG"].pk, "year": 2023,
                                          "uploads": [SimpleUploadedFile(n, d) for n, d in files]}, follow=True)


def _messages(resp) -> str:
    return resp.content.decode()


# ---- the guard through intake (page, API, CLI) ------------------------------------------------------------------

def test_merged_range_a2_xfd1048576_is_refused_by_the_unit_officer_page(login, units, no_openpyxl):
    assert len(MERGED_BOMB) < 1700  # the red-team's 1.6 KB file
    before = _counts()
    resp = _intake_page(login("vp.skhcn"), units, ("gop-o.xlsx", MERGED_BOMB))
    text = _messages(resp)
    assert "gop-o.xlsx" in text and "vùng gộp ô A2:XFD1048576" in text
    assert _counts() == before


def test_prefixed_cells_over_the_limit_are_counted_through_the_api(api, units, settings, no_openpyxl):
    settings.DANVAN_FORM_MAX_CELLS = 1000
    data = _prefixed_cells(1001)
    before = _counts()
    resp = api("vp.skhcn").post("/api/imports", {"unit": "SKHCN-QNG", "year": 2023,
                                                 "files": [SimpleUploadedFile("tien-to.xlsx", data)]})
    assert resp.status_code == 400, resp.content
    err = resp.json()
    assert err["code"] == "zip_bomb" and "hơn 1.000 ô dữ liệu" in err["message"]
    assert _counts() == before
    # One cell fewer than the limit passes the guard (and the reader is then called).
    assert officefile.check(_prefixed_cells(999), "ok.xlsx", officefile.Bounds.from_settings(max_cells=1000)) == "xlsx"


def test_4990_sheets_are_refused_before_any_sheet_is_opened(api, units, no_openpyxl):
    data = _xlsx([_sheet()] * 4990)
    resp = api("vp.skhcn").post("/api/imports", {"unit": "SKHCN-QNG", "year": 2023,
                                                 "files": [SimpleUploadedFile("nhieu-trang.xlsx", data)]})
    assert resp.status_code == 400
    assert "4.990 trang tính" in resp.json()["message"]
    # Declared in workbook.xml only, still counted.
    with pytest.raises(officefile.Refused, match="4.990 trang tính"):
        officefile.check(_xlsx([_sheet()], declared=4990), "khai-bao.xlsx")


def test_zip_bomb_is_refused_from_the_directory(login, units, no_openpyxl, monkeypatch):
    data = _xlsx([_sheet() + " " * (20 * 1024 * 1024)])  # 20 MB of spaces in one part
    assert len(data) < 64 * 1024
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(
        getattr(name, "filename", name)) or real_open(self, name, *a, **k))
    before = _counts()
    text = _messages(_intake_page(login("vp.skhcn"), units, ("bom.xlsx", data)))
    assert "bom.xlsx" in text and "nén bất thường" in text
    assert "xl/worksheets/sheet1.xml" not in opened  # never inflated
    assert _counts() == before


def test_cli_import_forms_uses_the_same_guard(demo, tmp_path, no_openpyxl):
    path = tmp_path / "gop-o.xlsx"
    path.write_bytes(MERGED_BOMB)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-forms", str(path), "--unit", "SKHCN-QNG", "--year", "2023", "--json", stdout=out)
    assert "A2:XFD1048576" in out.getvalue()


def test_docx_table_cells_are_bounded(settings, no_openpyxl):
    from danvan.intake import IntakeError, parse_form

    settings.DANVAN_FORM_MAX_CELLS = 100
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    cells = "<w:tc/>" * 50 + '<w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr></w:tc>'
    data = _zip({"word/document.xml": f'<w:document xmlns:w="{w}"><w:body><w:tbl><w:tr>{cells}</w:tr></w:tbl>'
                                      "</w:body></w:document>"})
    with pytest.raises(IntakeError, match="hơn 100 ô bảng"):
        parse_form(data, "bang.docx")


# ---- the guard through onboarding (page, CLI) --------------------------------------------------------------------

def _tree_page(client, data: bytes, name: str, kind: str = "cay-don-vi"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/quan-tri-don-vi/nhap/{kind}/", {"upload": f})


def test_huge_dimension_in_a_tree_import_is_refused_at_upload(login, no_openpyxl, tmp_path):
    data = _xlsx([_sheet(dimension="A1:XFD1048576")])
    before = _counts()
    resp = _tree_page(login("bdv.quangngai"), data, "cay.xlsx")
    assert resp.status_code == 200  # the form again, with the reason
    text = resp.content.decode()
    assert "khai báo vùng dữ liệu A1:XFD1048576" in text
    assert _counts() == before  # no ImportRun kept
    # A row far below, with a narrow dimension, is bounded by the rows a reader would pad to.
    far = _xlsx([_sheet('<row r="1048576"><c r="A1048576"/></row>', dimension="A1:K1")])
    path = tmp_path / "xa.xlsx"
    path.write_bytes(far)
    with pytest.raises(CommandError, match="dòng số 1.048.576"):
        call_command("import-tree", str(path), "--dry-run", stdout=io.StringIO())


def test_well_formed_xlsx_tree_still_imports(login):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(TREE_HEAD.strip().split(","))
    ws.append(["HU-BOUND", "Huyện ủy Giới Hạn", "BDVTU-QNG", "huyen", "huyen-uy", "", "", "", "", "", "party"])
    buf = io.BytesIO()
    wb.save(buf)
    resp = _tree_page(login("bdv.quangngai"), buf.getvalue(), "cay.xlsx")
    assert resp.status_code == 302


# ---- sizes checked while the upload streams in -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["cay-don-vi", "nguoi-dung"])
def test_oversized_tree_or_people_upload_is_not_stored(login, settings, monkeypatch, kind):
    from danvan.onboarding import importing

    settings.DANVAN_UPLOAD_MAX_BYTES = 4096
    monkeypatch.setattr(importing, "start_import", lambda **k: pytest.fail("the oversized file reached the service"))
    client = login("bdv.quangngai")
    runs = ImportRun.objects.count()
    big = (TREE_HEAD + "X,Đơn vị,BDVTU-QNG,huyen,huyen-uy,,,,,,party\n" * 200).encode()
    assert len(big) > 4096
    resp = _tree_page(client, big, "lon.csv", kind)
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "Tệp «lon.csv» vượt giới hạn 4 KB cho mỗi tệp" in text
    assert "lon.csv" not in [f.name for f in resp.wsgi_request.FILES.getlist("upload")]  # dropped while streaming
    assert ImportRun.objects.count() == runs


def test_intake_stops_reading_when_the_request_passes_its_total(login, units, settings, monkeypatch):
    from danvan.intake import services

    settings.DANVAN_UPLOAD_MAX_TOTAL_BYTES = 300 * 1024
    monkeypatch.setattr(services, "parse_form", lambda *a, **k: pytest.fail("a file was parsed"))
    one = b"x" * (120 * 1024)
    before = _counts()
    resp = _intake_page(login("vp.skhcn"), units, *[(f"tep-{i}.docx", one) for i in range(4)])
    assert "vượt giới hạn 300 KB" in _messages(resp)
    assert len(resp.redirect_chain) == 0
    assert len(resp.wsgi_request.FILES.getlist("uploads")) < 4  # the rest of the body was never kept
    assert _counts() == before


def test_intake_one_file_over_the_limit_refuses_the_upload(login, units, settings, monkeypatch):
    from danvan.intake import services

    settings.DANVAN_UPLOAD_MAX_BYTES = 64 * 1024
    monkeypatch.setattr(services, "parse_form", lambda *a, **k: pytest.fail("a file was parsed"))
    before = _counts()
    good = build_seed001_docx()
    assert len(good) < 64 * 1024
    resp = _intake_page(login("vp.skhcn"), units, ("tot.docx", good), ("qua-lon.docx", b"x" * (200 * 1024)),
                        ("tot-2.docx", good))
    assert "Tệp «qua-lon.docx» vượt giới hạn" in _messages(resp)
    assert [f.name for f in resp.wsgi_request.FILES.getlist("uploads")] == ["tot.docx", "tot-2.docx"]
    assert _counts() == before


def test_api_upload_over_the_limit_is_413_in_the_error_shape(api, units, settings):
    settings.DANVAN_UPLOAD_MAX_BYTES = 64 * 1024
    before = _counts()
    resp = api("vp.skhcn").post("/api/imports", {"unit": "SKHCN-QNG", "year": 2023,
                                                 "files": [SimpleUploadedFile("qua-lon.docx", b"x" * (200 * 1024))]})
    assert resp.status_code == 413
    err = resp.json()
    assert set(err) == {"code", "message", "details"} and err["code"] == "too_large"
    assert "qua-lon.docx" in err["message"] and err["details"]["files"][0]["filename"] == "qua-lon.docx"
    assert _counts() == before


def test_evidence_over_the_limit_is_refused_page_and_api(api, login, settings):
    from danvan.exemplars.models import Evidence, Exemplar

    settings.DANVAN_UPLOAD_MAX_BYTES = 64 * 1024
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)
    big = b"%PDF-1.4 " + b"x" * (200 * 1024)
    resp = api("tt.skhcn").post(f"/api/exemplars/{ex.pk}/progress/evidence", {
        "version": ex.version, "date": "2021-12-15", "text": "Đã làm.",
        "files": [SimpleUploadedFile("bien-ban.pdf", big)]})
    assert resp.status_code == 413 and resp.json()["code"] == "too_large"
    page = login("tt.skhcn").post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Đã làm.",
        "uploads": [SimpleUploadedFile("bien-ban.pdf", big)]})
    assert "bien-ban.pdf" in page.content.decode() and "giới hạn" in page.content.decode()
    assert not Evidence.objects.filter(update__exemplar=ex).exists()


# ---- uploads never applied expire --------------------------------------------------------------------------------

def test_expire_uploads_deletes_old_unconfirmed_and_keeps_confirmed(login, units, api,
                                                                     django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    board = User.objects.get(username="bdv.quangngai")
    old = timezone.now() - datetime.timedelta(days=8)

    def run(applied: bool) -> ImportRun:
        return ImportRun.objects.create(kind="tree", filename="cay.csv", sha256="0" * 64, content=b"abc",
                                        created_by=board, applied_at=timezone.now() if applied else None)

    stale, applied, fresh = run(False), run(True), run(False)
    ImportRun.objects.filter(pk__in=[stale.pk, applied.pk]).update(created_at=old)

    office = api("vp.skhcn")

    def batch(name: str) -> ImportBatch:
        resp = office.post("/api/imports", {"unit": "SKHCN-QNG", "year": 2023,
                                            "files": [SimpleUploadedFile(name, build_seed001_docx())]})
        assert resp.status_code == 201, resp.content
        return ImportBatch.objects.get(pk=resp.json()["id"])

    preview, cancelled, confirmed, recent = batch("a.docx"), batch("b.docx"), batch("c.docx"), batch("d.docx")
    preview_file = preview.files.get()
    storage, name = preview_file.file.storage, preview_file.file.name
    assert storage.exists(name)
    assert office.post(f"/api/imports/{cancelled.pk}/cancel").status_code == 200
    ImportBatch.objects.filter(pk=confirmed.pk).update(state=ImportBatch.State.CONFIRMED, confirmed_at=old)
    ImportBatch.objects.filter(pk__in=[preview.pk, cancelled.pk, confirmed.pk]).update(created_at=old)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire-uploads", stdout=out)
    assert "Đã xóa 1 tệp" in out.getvalue() and "2 lần nhập biểu mẫu chưa xác nhận (2 tệp)" in out.getvalue()
    assert set(ImportRun.objects.filter(pk__in=[stale.pk, applied.pk, fresh.pk]).values_list("pk", flat=True)) == {
        applied.pk, fresh.pk}
    assert set(ImportBatch.objects.values_list("pk", flat=True)) >= {confirmed.pk, recent.pk}
    assert not ImportBatch.objects.filter(pk__in=[preview.pk, cancelled.pk]).exists()
    assert not ImportFile.objects.filter(batch_id__in=[preview.pk, cancelled.pk]).exists()
    assert not storage.exists(name)  # the bytes went too
    assert confirmed.files.get().file.storage.exists(confirmed.files.get().file.name)
    # Vietnamese help, like every danvan command.
    from django.core.management import load_command_class

    text = load_command_class("danvan.ops", "expire-uploads").create_parser("danvan", "expire-uploads").format_help()
    assert "Cách dùng" in text and "chưa xác nhận" in text and "--days" in text
