"""Issue 8: documents and reports through the API — the same services and scoping as the pages."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from docx import Document

from danvan.movement.models import RegistrationRound, Submission

pytestmark = pytest.mark.django_db

SEED_EXEMPLAR = "Thực hiện tiết kiệm điện trong cơ quan"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sub() -> Submission:
    return Submission.objects.get(unit__code="SKHCN-QNG", round__year=2021)


def _json(resp, status: int) -> dict:
    assert resp.status_code == status, resp.content[:500]
    assert resp["Content-Type"].startswith("application/json")
    return json.loads(resp.content)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def test_submission_documents_listed_and_downloaded(api, login, demo):
    office, sub = api("vp.skhcn"), _sub()
    listing = _json(office.get(f"/api/submissions/{sub.pk}/documents"), 200)
    docs = {d["which"]: d for d in listing["items"]}
    assert docs["dang-ky"]["formats"] == ["docx", "xlsx", "pdf"] and docs["danh-sach"]["formats"] == ["docx", "xlsx"]
    assert docs["dang-ky"]["urls"]["docx"] == f"/api/submissions/{sub.pk}/documents/dang-ky.docx"
    assert listing["background"] is False

    resp = office.get(docs["dang-ky"]["urls"]["docx"])
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    assert resp["Content-Disposition"] == 'attachment; filename="dang-ky-SKHCN-QNG-2021.docx"; filename*=UTF-8\'\'dang-ky-SKHCN-QNG-2021.docx'
    text = _docx_text(resp.content)
    assert SEED_EXEMPLAR in text and "Biểu số 2" in text
    # The same document as the page's (one builder for both doors).
    assert _docx_text(login("vp.skhcn").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx").content) == text

    resp = office.get(docs["dang-ky"]["urls"]["xlsx"])
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == 'attachment; filename="dang-ky-SKHCN-QNG-2021.xlsx"; filename*=UTF-8\'\'dang-ky-SKHCN-QNG-2021.xlsx'
    assert SEED_EXEMPLAR in _xlsx_text(resp.content)
    resp = office.get(docs["danh-sach"]["urls"]["xlsx"])
    assert resp.status_code == 200 and SEED_EXEMPLAR in _xlsx_text(resp.content)


def test_unknown_document_or_format_is_json(api, demo):
    office, sub = api("vp.skhcn"), _sub()
    assert _json(office.get(f"/api/submissions/{sub.pk}/documents/khong-co.docx"), 404)["code"] == "not_found"
    assert _json(office.get(f"/api/submissions/{sub.pk}/documents/dang-ky.odt"), 404)["code"] == "not_found"
    err = _json(office.get(f"/api/submissions/{sub.pk}/documents/danh-sach.pdf"), 400)
    assert err["code"] == "unsupported_format" and "chỉ xuất được dạng docx, xlsx" in err["message"]
    rnd = sub.round
    assert _json(office.get(f"/api/rounds/{rnd.pk}/documents/khong-co.docx"), 404)["code"] == "not_found"
    assert _json(office.get(f"/api/rounds/{rnd.pk}/documents/phat-dong.xlsx"), 400)["code"] == "unsupported_format"


def test_pdf_without_libreoffice_is_a_clear_json_error(api, demo, monkeypatch):
    from danvan.documents import pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    office, sub = api("vp.skhcn"), _sub()
    err = _json(office.get(f"/api/submissions/{sub.pk}/documents/dang-ky.pdf"), 400)
    assert err["code"] == "pdf_unavailable" and err["message"] == str(pdf.PdfUnavailable())
    assert "LibreOffice" in err["message"]


def test_other_units_get_404(api, demo):
    sub = _sub()
    other = api("vp.snv")
    for url in (f"/api/submissions/{sub.pk}/documents", f"/api/submissions/{sub.pk}/documents/dang-ky.docx"):
        assert _json(other.get(url), 404)["code"] == "not_found", url
    assert _json(other.get("/api/reports/SKHCN-QNG/2022/statistics"), 404)["code"] == "not_found"
    assert _json(other.get("/api/reports/SKHCN-QNG/2022/phu-luc.xlsx"), 404)["code"] == "not_found"
    # Their own are fine.
    assert other.get("/api/reports/SNV-QNG/2022/statistics").status_code == 200


def test_round_documents(api, demo):
    rnd = RegistrationRound.objects.get(year=2022, issuer__code="BDVTU-QNG", kind="registration")
    board, office = api("bdv.quangngai"), api("vp.skhcn")
    assert {d["which"] for d in _json(board.get(f"/api/rounds/{rnd.pk}/documents"), 200)["items"]} == \
        {"phat-dong", "don-doc"}
    # The reminder is the issuer's only: not listed, and 404, for a unit that received the round.
    assert {d["which"] for d in _json(office.get(f"/api/rounds/{rnd.pk}/documents"), 200)["items"]} == {"phat-dong"}
    assert office.get(f"/api/rounds/{rnd.pk}/documents/don-doc.docx").status_code == 404
    resp = board.get(f"/api/rounds/{rnd.pk}/documents/don-doc.docx")
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    assert "- Sở Khoa học và Công nghệ," in _docx_text(resp.content)
    resp = office.get(f"/api/rounds/{rnd.pk}/documents/phat-dong.docx")
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith('attachment; filename="phat-dong-')


def test_statistics_equal_the_pages_json(api, login, demo):
    for user, code, year in (("bdv.quangngai", "BDVTU-QNG", 2022), ("vp.skhcn", "SKHCN-QNG", 2021)):
        page = json.loads(login(user).get(f"/bao-cao/{code}/{year}/tai-ve/so-lieu.json").content)
        got = _json(api(user).get(f"/api/reports/{code}/{year}/statistics"), 200)
        # 2022: what the dossiers hold — the Sở KH&CN's units' 2021 models continued (Sở Nội vụ's is not sent).
        assert got == page and (got["totals"]["registered"]["total"] + got["totals"]["continued"]["total"]) >= 1, (
            code, year)
        resp = api(user).get(f"/api/reports/{code}/{year}/so-lieu.json")
        assert resp.status_code == 200 and json.loads(resp.content) == page
        assert resp["Content-Disposition"] == f'attachment; filename="so-lieu-{code}-{year}.json"; filename*=UTF-8\'\'so-lieu-{code}-{year}.json'


def test_report_downloads(api, demo):
    board = api("bdv.quangngai")
    resp = board.get("/api/reports/BDVTU-QNG/2022/phu-luc.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == 'attachment; filename="phu-luc-so-lieu-BDVTU-QNG-2022.xlsx"; filename*=UTF-8\'\'phu-luc-so-lieu-BDVTU-QNG-2022.xlsx'
    assert "Tổng số" in _xlsx_text(resp.content)
    assert board.get("/api/reports/BDVTU-QNG/2022/phu-luc.docx")["Content-Type"] == DOCX
    assert _json(board.get("/api/reports/BDVTU-QNG/2022/phu-luc.pdf"), 400)["code"] == "unsupported_format"
    assert _json(board.get("/api/reports/BDVTU-QNG/2022/khong-co.docx"), 404)["code"] == "not_found"
    assert _json(board.get("/api/reports/BDVTU-QNG/1995/statistics"), 404)["code"] == "not_found"  # no movement
    assert _json(board.get("/api/reports/BDVTU-QNG/2022/statistics?movement=999999"), 404)["code"] == "not_found"


def test_large_submission_becomes_a_job(api, login, demo, settings):
    from danvan.documents.models import GeneratedDocument, JobStatus

    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1  # the seed registration has 4 exemplars
    office, sub = api("vp.skhcn"), _sub()
    assert _json(office.get(f"/api/submissions/{sub.pk}/documents"), 200)["background"] is True
    job = _json(office.get(f"/api/submissions/{sub.pk}/documents/dang-ky.docx"), 202)
    assert GeneratedDocument.objects.get().pk == job["id"]
    assert job["status_url"] == f"/api/documents/jobs/{job['id']}"
    state = _json(office.get(job["status_url"]), 200)  # the immediate backend already ran it
    assert state["state"] == JobStatus.DONE and state["progress"] == 100
    assert state["file_url"] == f"/api/documents/jobs/{job['id']}/file"
    got = office.get(state["file_url"])
    assert got.status_code == 200 and got["Content-Type"] == DOCX
    assert 'filename="dang-ky-SKHCN-QNG-2021.docx"' in got["Content-Disposition"]
    assert SEED_EXEMPLAR in _docx_text(b"".join(got.streaming_content))
    # Only the requester sees the job, even someone who sees the submission.
    board = api("bdv.quangngai")
    assert _json(board.get(job["status_url"]), 404)["code"] == "not_found"
    assert _json(board.get(state["file_url"]), 404)["code"] == "not_found"
    # Issue 21: the requester's role revoked since, the file goes with it (page and API).
    from danvan.orgs.models import Membership

    Membership.objects.filter(user__username="vp.skhcn").delete()
    assert _json(office.get(state["file_url"]), 404)["code"] == "not_found"
    assert login("vp.skhcn").get(f"/van-ban/tao/{job['id']}/tai-ve/").status_code == 404


def test_queued_job_has_no_file_yet(api, demo, settings):
    settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS = 1
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    office, sub = api("vp.skhcn"), _sub()
    first = _json(office.get(f"/api/submissions/{sub.pk}/documents/dang-ky.xlsx"), 202)
    second = _json(office.get(f"/api/submissions/{sub.pk}/documents/dang-ky.xlsx"), 202)
    assert first["id"] == second["id"] and first["state"] == "queued" and first["file_url"] is None
    err = _json(office.get(f"/api/documents/jobs/{first['id']}/file"), 404)
    assert err["code"] == "not_ready"
