"""Issue 8: the blank form, the period review and the unit dashboard through the API — the pages' functions and scope.

Every figure is compared with what the page shows (its context, or its own download), so a rule written twice
would show up here as a difference.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from docx import Document

from danvan.exemplars.models import Movement

from .test_api_documents import _docx_text, _json

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _m2021() -> int:
    return Movement.objects.get(period_start=2021).pk



def _xlsx_rows(data: bytes, sheet: str | None = None) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    return [list(r) for r in ws.iter_rows(values_only=True)]


# ---- the blank registration form -----------------------------------------------------------------

def test_blank_form_is_the_pages_form(api, login):
    client, page = api("cc.tdc"), login("cc.tdc")
    resp = client.get("/api/documents/blank-form.docx")
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    assert resp["Content-Disposition"] == 'attachment; filename="bieu-mau-dang-ky-mo-hinh.docx"; filename*=UTF-8\'\'bieu-mau-dang-ky-mo-hinh.docx'
    doc = Document(io.BytesIO(resp.content))
    assert [c.text for c in doc.tables[-1].rows[2].cells][:7] == [str(i) for i in range(1, 8)]
    assert _docx_text(resp.content) == _docx_text(page.get("/bieu-mau-trong.docx").content)

    resp = client.get("/api/documents/blank-form.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == 'attachment; filename="bieu-mau-dang-ky-mo-hinh.xlsx"; filename*=UTF-8\'\'bieu-mau-dang-ky-mo-hinh.xlsx'
    assert _xlsx_rows(resp.content) == _xlsx_rows(page.get("/bieu-mau-trong.xlsx").content)
    assert "LĨNH VỰC/TÊN MÔ HÌNH, ĐIỂN HÌNH" in _xlsx_rows(resp.content)[3]


def test_blank_form_bad_format_and_no_token(api, client, demo):
    err = _json(api("cc.tdc").get("/api/documents/blank-form.pdf"), 400)
    assert err["code"] == "unsupported_format" and err["message"] == "Văn bản này chỉ xuất được dạng docx, xlsx."
    assert _json(api("cc.tdc").get("/api/documents/blank-form.odt"), 400)["code"] == "unsupported_format"
    assert _json(client.get("/api/documents/blank-form.docx"), 401)["code"] == "unauthorized"


# ---- the period review ---------------------------------------------------------------------------

def test_period_review_equals_the_page(api, login):
    movement = _m2021()
    # The year is what its sent dossiers hold: Sở Nội vụ's 2022 replica counts once its dossier is sent.
    from danvan.movement.models import Submission

    snv = Submission.objects.get(unit__code="SNV-QNG", round__year=2022, round__kind="registration")
    assert login("bdv.quangngai").post(f"/ho-so/{snv.pk}/gui/", {"version": snv.version}).status_code == 302
    page = login("bdv.quangngai").get(f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/")
    table = page.context["table"]
    got = _json(api("bdv.quangngai").get(f"/api/reports/BDVTU-QNG/period/{movement}"), 200)
    assert got["headers"] == table.headers == ["STT", "Nội dung", "2021", "2022", "2023", "2024", "2025",
                                               "Cả giai đoạn 2021 - 2025"]
    assert got["rows"] == table.rows and got["title"] == table.title
    rows = {r[1]: r[2:] for r in got["rows"]}
    assert rows["Số mô hình, điển hình đăng ký"] == ["4", "1", "0", "0", "0", "5"]
    assert rows["Số mô hình được nhân rộng"] == ["0", "1", "0", "0", "0", "1"]
    assert got["unit"] == "BDVTU-QNG" and (got["period_start"], got["period_end"]) == (2021, 2025)
    # The structured numbers: the CLI's `report period --format json`, and each year sums to the period.
    assert [y["year_from"] for y in got["years"]] == [2021, 2022, 2023, 2024, 2025]
    assert [y["totals"]["registered"]["total"] for y in got["years"]] == [4, 1, 0, 0, 0]
    assert got["period"]["totals"]["registered"]["total"] == 5
    assert got["downloads"] == {fmt: f"/api/reports/BDVTU-QNG/period/{movement}/download.{fmt}"
                                for fmt in ("docx", "xlsx")}


def test_period_downloads_hold_the_pages_rows(api, login):
    movement = _m2021()
    board, page = api("bdv.quangngai"), login("bdv.quangngai")
    shown = _json(board.get(f"/api/reports/BDVTU-QNG/period/{movement}"), 200)

    resp = board.get(shown["downloads"]["xlsx"])
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == 'attachment; filename="so-ket-BDVTU-QNG-2021-2025.xlsx"; filename*=UTF-8\'\'so-ket-BDVTU-QNG-2021-2025.xlsx'
    sheet = _xlsx_rows(resp.content)
    header = next(i for i, r in enumerate(sheet) if r and r[0] == "STT")
    assert [str(v) for v in sheet[header]] == shown["headers"]
    body = [["" if v is None else str(v) for v in r] for r in sheet[header + 1:]]
    assert body[:len(shown["rows"])] == shown["rows"]
    assert sheet == _xlsx_rows(page.get(f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/tai-ve.xlsx").content)

    resp = board.get(shown["downloads"]["docx"])
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    assert resp["Content-Disposition"] == 'attachment; filename="so-ket-BDVTU-QNG-2021-2025.docx"; filename*=UTF-8\'\'so-ket-BDVTU-QNG-2021-2025.docx'
    text = _docx_text(resp.content)
    assert "giai đoạn 2021 - 2025" in text and "Số mô hình, điển hình đăng ký" in text
    assert text == _docx_text(page.get(f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/tai-ve.docx").content)

    err = _json(board.get(f"/api/reports/BDVTU-QNG/period/{movement}/download.pdf"), 400)
    assert err["code"] == "unsupported_format" and err["message"] == "Văn bản này chỉ xuất được dạng docx, xlsx."


@pytest.mark.parametrize("user", ["bdv.quangngai", "vp.skhcn", "vp.snv", "tt.skhcn"])
def test_period_scope_is_the_pages(api, login, user):
    movement = _m2021()
    client, page = api(user), login(user)
    for code in ("BDVTU-QNG", "SKHCN-QNG", "TT-SKHCN-QNG", "SNV-QNG", "KHONG-CO"):
        expected = page.get(f"/bao-cao/{code}/giai-doan/{movement}/").status_code
        assert expected in (200, 404)
        got = client.get(f"/api/reports/{code}/period/{movement}")
        assert got.status_code == expected, (user, code)
        download = client.get(f"/api/reports/{code}/period/{movement}/download.xlsx")
        assert download.status_code == expected, (user, code)
        if expected == 404:
            for resp in (got, download):
                err = _json(resp, 404)
                assert err["code"] == "not_found" and "ngoài phạm vi" in err["message"]


def test_period_other_unit_404_and_bad_movement(api):
    other, office = api("vp.snv"), api("vp.skhcn")
    movement = _m2021()
    assert _json(other.get(f"/api/reports/SKHCN-QNG/period/{movement}"), 404)["code"] == "not_found"
    assert _json(office.get(f"/api/reports/SKHCN-QNG/period/{movement}"), 200)["unit"] == "SKHCN-QNG"
    err = _json(office.get("/api/reports/SKHCN-QNG/period/999999"), 404)
    assert err == {"code": "not_found", "message": "Không có phong trào này.", "details": {}}
    assert _json(office.get("/api/reports/SKHCN-QNG/period/999999/download.docx"), 404)["code"] == "not_found"
    err = _json(office.get("/api/reports/SKHCN-QNG/period/abc"), 422)
    assert err["code"] == "validation_error" and err["details"]["errors"][0]["message"] == "Phải là số nguyên."


# ---- the unit dashboard --------------------------------------------------------------------------

def _page_query() -> str:
    return f"phong_trao={_m2021()}&tu=2021&den=2025"


def _api_query() -> str:
    return f"movement={_m2021()}&year_from=2021&year_to=2025"


def test_dashboard_tables_equal_the_page(api, login):
    page = login("bdv.quangngai").get(f"/don-vi/BDVTU-QNG/thong-ke/?{_page_query()}").context["dash"]
    got = _json(api("bdv.quangngai").get(f"/api/units/BDVTU-QNG/dashboard?{_api_query()}"), 200)
    assert (got["movement"], got["year_from"], got["year_to"]) == (_m2021(), 2021, 2025)
    assert got["scope_line"] == page.scope_line and got["notes"] == []
    assert [t["slug"] for t in got["tables"]] == [t.slug for t in page.tables]
    for mine, shown in zip(got["tables"], page.tables, strict=True):
        assert (mine["title"], mine["headers"], mine["rows"], mine["total"], mine["note"]) == \
            (shown.title, shown.headers, shown.rows, shown.total, shown.note), shown.slug
    tables = {t["slug"]: t for t in got["tables"]}
    years = {r[0]: r[1:] for r in tables["nam"]["rows"]}
    assert years["2021"] == [3, 1, 4, 0, 3] and years["2022"] == [1, 0, 1, 1, 0]
    assert tables["nam"]["total"] == ["Tổng cộng", 4, 1, 5, 1, 3]
    assert tables["nhan-rong-nhieu"]["rows"] == [["Thực hiện tiết kiệm điện trong cơ quan",
                                                   "Văn phòng Sở Khoa học và Công nghệ", "2021", 1, 1]]
    assert tables["nam"]["downloads"]["csv"] == f"/api/units/BDVTU-QNG/dashboard/nam.csv?{_api_query()}"
    assert got["download_all"] == f"/api/units/BDVTU-QNG/dashboard/tat-ca.xlsx?{_api_query()}"


def test_dashboard_years_fall_back_as_on_the_page(api, login):
    board, page = api("bdv.quangngai"), login("bdv.quangngai")
    got = _json(board.get("/api/units/BDVTU-QNG/dashboard?movement=tat-ca&year_from=2022&year_to=2021"), 200)
    shown = page.get("/don-vi/BDVTU-QNG/thong-ke/?phong_trao=tat-ca&tu=2022&den=2021")
    assert (got["year_from"], got["year_to"], got["movement"]) == (2021, 2022, None)
    assert got["notes"] == ["“Từ năm” sau “đến năm”: đã đổi chỗ hai năm."] == \
        [str(n) for n in shown.context["notes"]]
    got = _json(board.get("/api/units/BDVTU-QNG/dashboard?movement=tat-ca&year_from=1990&year_to=2100"), 200)
    assert (got["year_from"], got["year_to"]) == (2071, 2100) and "tối đa 30 năm" in got["notes"][0]
    # No parameter: the latest movement and its default years, as the page.
    default = page.get("/don-vi/BDVTU-QNG/thong-ke/").context["dash"]
    got = _json(board.get("/api/units/BDVTU-QNG/dashboard"), 200)
    assert (got["movement"], got["year_from"], got["year_to"]) == \
        (default.movement.pk, default.year_from, default.year_to)


def test_dashboard_downloads_are_the_pages_files(api, login):
    board, page = api("bdv.quangngai"), login("bdv.quangngai")
    got = _json(board.get(f"/api/units/BDVTU-QNG/dashboard?{_api_query()}"), 200)
    nam = next(t for t in got["tables"] if t["slug"] == "nam")

    resp = board.get(nam["downloads"]["csv"])
    assert resp.status_code == 200 and resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp["Content-Disposition"] == 'attachment; filename="thong-ke-nam-BDVTU-QNG-2021-2025.csv"; filename*=UTF-8\'\'thong-ke-nam-BDVTU-QNG-2021-2025.csv'
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == nam["headers"]
    assert rows[1:] == [[str(v) for v in r] for r in [*nam["rows"], nam["total"]]]
    assert rows[1] == ["2021", "3", "1", "4", "0", "3"] and rows[-1] == ["Tổng cộng", "4", "1", "5", "1", "3"]
    assert resp.content == page.get(f"/don-vi/BDVTU-QNG/thong-ke/nam.csv?{_page_query()}").content
    # The download follows the query (not the default range): one year, every movement.
    resp = board.get("/api/units/BDVTU-QNG/dashboard/nam.csv?movement=tat-ca&year_from=2022&year_to=2022")
    assert resp["Content-Disposition"] == 'attachment; filename="thong-ke-nam-BDVTU-QNG-2022.csv"; filename*=UTF-8\'\'thong-ke-nam-BDVTU-QNG-2022.csv'
    assert list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))[1:] == [
        ["2022", "1", "0", "1", "1", "0"], ["Tổng cộng", "1", "0", "1", "1", "0"]]
    assert resp.content == page.get("/don-vi/BDVTU-QNG/thong-ke/nam.csv?phong_trao=tat-ca&tu=2022&den=2022").content

    linh_vuc = next(t for t in got["tables"] if t["slug"] == "linh-vuc")
    resp = board.get(linh_vuc["downloads"]["xlsx"])
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    sheet = _xlsx_rows(resp.content)
    header = sheet.index(linh_vuc["headers"])
    body = {r[0]: r[1:] for r in sheet[header + 1:]}
    assert body["Xây dựng hệ thống chính trị"] == [3, 0, 3, 1, 33.3]  # numbers stay numbers
    assert body["Tổng cộng"] == linh_vuc["total"][1:] == [4, 1, 5, 3, 60.0]
    assert "Ban Dân vận Tỉnh ủy Quảng Ngãi" in str(sheet[0][0])

    resp = board.get(got["download_all"])
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == 'attachment; filename="thong-ke-BDVTU-QNG-2021-2025.xlsx"; filename*=UTF-8\'\'thong-ke-BDVTU-QNG-2021-2025.xlsx'
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == [t["slug"] for t in got["tables"]]
    mine = openpyxl.load_workbook(io.BytesIO(page.get(f"/don-vi/BDVTU-QNG/thong-ke/tat-ca.xlsx?{_page_query()}")
                                             .content))
    assert [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets] == \
        [[list(r) for r in ws.iter_rows(values_only=True)] for ws in mine.worksheets]


@pytest.mark.parametrize("user", ["bdv.quangngai", "vp.skhcn", "vp.snv", "tt.skhcn"])
def test_dashboard_scope_is_the_pages(api, login, user):
    client, page = api(user), login(user)
    for code in ("BDVTU-QNG", "SKHCN-QNG", "TT-SKHCN-QNG", "SNV-QNG", "KHONG-CO"):
        expected = page.get(f"/don-vi/{code}/thong-ke/").status_code
        assert expected in (200, 404)
        for url in (f"/api/units/{code}/dashboard", f"/api/units/{code}/dashboard/nam.csv"):
            resp = client.get(url)
            assert resp.status_code == expected, (user, url)
            if expected == 404:
                assert _json(resp, 404)["code"] == "not_found"


def test_dashboard_other_unit_404_and_bad_input(api):
    other, board = api("vp.snv"), api("bdv.quangngai")
    err = _json(other.get("/api/units/SKHCN-QNG/dashboard"), 404)
    assert err["code"] == "not_found" and "ngoài phạm vi" in err["message"]
    assert _json(other.get("/api/units/SKHCN-QNG/dashboard/tat-ca.xlsx"), 404)["code"] == "not_found"
    assert other.get("/api/units/SNV-QNG/dashboard").status_code == 200
    # An unknown movement: the page shows every movement with a note; the API says it does not exist.
    for url in ("/api/units/BDVTU-QNG/dashboard?movement=999999", "/api/units/BDVTU-QNG/dashboard/nam.csv?movement=999999"):
        assert _json(board.get(url), 404) == {"code": "not_found", "message": "Không có phong trào này.", "details": {}}
    for query in ("movement=abc", "year_from=1800", "year_to=abc"):
        err = _json(board.get(f"/api/units/BDVTU-QNG/dashboard?{query}"), 422)
        assert err["code"] == "validation_error" and err["message"] == "Dữ liệu gửi lên không hợp lệ.", query
    err = _json(board.get("/api/units/BDVTU-QNG/dashboard/nam.pdf"), 400)
    assert err["code"] == "unsupported_format" and err["message"] == "Văn bản này chỉ xuất được dạng csv, xlsx."
    err = _json(board.get("/api/units/BDVTU-QNG/dashboard/tat-ca.csv"), 400)
    assert err["code"] == "unsupported_format" and "chỉ tải được dạng xlsx" in err["message"]
    err = _json(board.get("/api/units/BDVTU-QNG/dashboard/khong-co.csv"), 404)
    assert err == {"code": "not_found", "message": "Không có bảng số liệu này.", "details": {}}
