"""Report requests (seed 004), the annual report with section 3.3 computed, its documents, the period review."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from danvan.exemplars import lifecycle
from danvan.exemplars.models import Exemplar
from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs.models import OrgUnit
from danvan.reports.models import AnnualReport

User = get_user_model()

pytestmark = pytest.mark.django_db


def _request_2022() -> RegistrationRound:
    return RegistrationRound.objects.get(issuer__code="BDVTU-QNG", year=2022, kind="report")


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_board_sends_a_report_request_and_tracks_it_like_a_round(login):
    board = login("bdv.quangngai")
    page = board.get("/bao-cao/yeu-cau/moi/").content.decode()
    assert "Sở, ban, ngành tỉnh" in page and "Kế hoạch số 31-KH/TU" in page
    from danvan.exemplars.models import Movement
    from danvan.orgs.models import OrgUnit

    resp = board.post("/bao-cao/yeu-cau/moi/", {
        "issuer": OrgUnit.objects.get(code="BDVTU-QNG").pk, "movement": Movement.objects.get(period_start=2021).pk,
        "year": 2023, "title": "Báo cáo kết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm 2023",
        "deadline": "20/10/2030", "quota_so-nganh": "1", "quota_mttq": "2", "quota_huyen-uy": "2",
    })
    assert resp.status_code == 302
    rnd = RegistrationRound.objects.get(year=2023, kind="report")
    assert rnd.intro_quota == {"so-nganh": 1, "mttq": 2, "huyen-uy": 2}
    assert set(rnd.submissions.values_list("unit__code", flat=True)) == {"SKHCN-QNG", "SNV-QNG"}
    # The round page's completeness and reminders serve the report request too.
    detail = board.get(f"/dot-dang-ky/{rnd.pk}/?don_vi=BDVTU-QNG").content.decode()
    assert "Sở Nội vụ" in detail
    sub = rnd.submissions.get(unit__code="SNV-QNG")
    remind = board.post(f"/dot-dang-ky/{rnd.pk}/nhac/", {"submission": [sub.pk]}, follow=True)
    assert "Đã nhắc: Sở Nội vụ." in remind.content.decode()
    # Nobody below the Board can send one.
    assert login("tt.skhcn").get("/bao-cao/yeu-cau/moi/").status_code == 403


def test_a_unit_cannot_send_a_report_it_has_not_written(login):
    sub = _request_2022().submissions.get(unit__code="SNV-QNG")
    resp = login("bdv.quangngai").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version}, follow=True)
    assert "Chưa lập báo cáo năm" in resp.content.decode()
    sub.refresh_from_db()
    assert sub.status == "not_started"


def test_the_answer_is_a_draft_as_soon_as_its_report_is_saved(login):
    sub = _request_2022().submissions.get(unit__code="SNV-QNG")
    office = login("vp.snv")
    assert office.post("/bao-cao/SNV-QNG/2022/", {"action": "open"}).status_code == 302
    report = AnnualReport.objects.get(unit__code="SNV-QNG", year=2022)
    sub.refresh_from_db()
    assert sub.status == "not_started"  # opening is not yet work
    data = {"version": report.version, "number": "", **{f"s_{k}": v for k, v in report.sections.items()},
            "s_1": "Tình hình chung của Sở Nội vụ."}
    assert office.post("/bao-cao/SNV-QNG/2022/", data).status_code == 302
    sub.refresh_from_db()
    assert sub.status == "draft" and sub.display_status() == "Đang soạn"
    assert sub.events.filter(action="dossier", by__username="vp.snv").exists()


def test_skhcn_writes_introduces_and_sends_its_2022_report(login):
    office = login("vp.skhcn")
    report = AnnualReport.objects.get(unit__code="SKHCN-QNG", year=2022)
    page = office.get("/bao-cao/SKHCN-QNG/2022/").content.decode()
    # Pre-filled from what the system knows: the plan and the relayed 2022 round.
    assert "Kế hoạch số 31-KH/TU ngày 16/3/2021" in page and "chuyển tiếp đợt" in page
    assert "Yêu cầu báo cáo đề nghị đơn vị giới thiệu <strong>01</strong> mô hình" in page
    data = {"version": report.version, "number": "", **{f"s_{k}": v for k, v in report.sections.items()},
            "s_4.1": "Cán bộ, công chức hưởng ứng tích cực."}
    assert office.post("/bao-cao/SKHCN-QNG/2022/", data).status_code == 302
    # A second tab with the old version cannot overwrite it.
    stale = office.post("/bao-cao/SKHCN-QNG/2022/", {**data, "s_4.1": "Bản cũ"})
    assert stale.status_code == 400 and "vừa được người khác sửa" in stale.content.decode()
    assert "Bản cũ" in stale.content.decode()  # what was typed is not lost
    report.refresh_from_db()
    assert report.section("4.1") == "Cán bộ, công chức hưởng ứng tích cực."
    # Part II offers only models recognized or commended: the Chi cục's model is neither, so it is refused.
    cc = Exemplar.objects.get(unit__code="CCTDC-QNG", year=2021)
    assert f'value="{cc.pk}"' not in page
    resp = office.post("/bao-cao/SKHCN-QNG/2022/gioi-thieu/", {
        "version": report.version, "exemplar": cc.pk, "basis": "Luật Chất lượng sản phẩm, hàng hóa."})
    assert resp.status_code == 400 and report.intros.count() == 1
    # Assessed and commended in 2022, it is offered; a second introduction is over the quota of 1 — warned, not refused.
    lifecycle.assess(exemplar=cc, by=User.objects.get(username="ld.cc"), achieved=True, comment="Đạt.")
    lifecycle.commend(exemplar=cc, by=User.objects.get(username="bdv.quangngai"),
                      by_unit=OrgUnit.objects.get(code="BDVTU-QNG"), form="praise", decision_number="130-QĐ/BDVTU",
                      decision_date=datetime.date(2022, 9, 20))
    report.refresh_from_db()
    resp = office.post("/bao-cao/SKHCN-QNG/2022/gioi-thieu/", {
        "version": report.version, "exemplar": cc.pk, "basis": "Luật Chất lượng sản phẩm, hàng hóa."}, follow=True)
    html = resp.content.decode()
    assert "báo cáo đang giới thiệu 02" in html and "chưa được công nhận, biểu dương hay khen thưởng" not in html
    assert report.intros.count() == 2
    # An exemplar outside the Sở cannot be introduced.
    report.refresh_from_db()
    snv = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)
    resp = office.post("/bao-cao/SKHCN-QNG/2022/gioi-thieu/", {"version": report.version, "exemplar": snv.pk})
    assert resp.status_code == 400 and report.intros.count() == 2
    intro = report.intros.get(exemplar=cc)
    office.post(f"/bao-cao/SKHCN-QNG/2022/gioi-thieu/{intro.pk}/bo/", {"version": report.version})
    assert report.intros.count() == 1
    # The leader approves and sends; the Board accepts.
    sub = report.submission
    assert sub is not None and sub.round == _request_2022()
    resp = login("ld.skhcn").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version}, follow=True)
    sub.refresh_from_db()
    assert sub.status == "submitted", resp.content.decode()
    # Sent, the leader lands on the report, where its files are.
    assert resp.redirect_chain[-1][0].startswith("/bao-cao/SKHCN-QNG/2022/") and "Báo cáo (Word)" in resp.content.decode()
    locked = office.post("/bao-cao/SKHCN-QNG/2022/", {**data, "version": report.version + 10})
    assert locked.status_code in (200, 400) and "Lưu báo cáo" not in locked.content.decode()
    assert login("bdv.quangngai").post(f"/ho-so/{sub.pk}/tiep-nhan/").status_code == 302
    board_page = login("bdv.quangngai").get("/bao-cao/BDVTU-QNG/2022/").content.decode()
    assert "Sở Khoa học và Công nghệ" in board_page and "Đã tiếp nhận" in board_page


def test_board_report_for_2022_counts_the_seed_data(login):
    """Done-when of issue 6: the recognition, the replica and the seed exemplars are counted correctly."""
    board = login("bdv.quangngai")
    # 2022: the replica by Sở Nội vụ is the year's only new registration, a province-level replication — counted
    # once its dossier is sent (the Board sends it on the Sở's behalf); the Sở KH&CN's units carried their 2021
    # models into their 2022 dossiers as "tiếp tục xây dựng", counted apart.
    before = json.loads(board.get("/bao-cao/BDVTU-QNG/2022/tai-ve/so-lieu.json").content)
    assert before["totals"]["registered"]["total"] == 0 and before["totals"]["replicated"]["total"] == 0
    assert before["totals"]["continued"] == {"collective": 1, "individual": 1, "total": 2}
    _send_snv_2022(board)
    data = json.loads(board.get("/bao-cao/BDVTU-QNG/2022/tai-ve/so-lieu.json").content)
    levels = {r["level"]: r for r in data["by_level"]}
    assert data["totals"]["continued"] == before["totals"]["continued"]
    assert data["totals"]["registered"] == {"collective": 1, "individual": 0, "total": 1}
    assert levels["tinh"]["replicated"]["total"] == 1 and data["totals"]["replicated"]["total"] == 1
    # Recognized in 2022 at province level by the Board, with a Giấy khen.
    assert levels["tinh"]["recognized"] == {"collective": 1, "individual": 0, "total": 1}
    assert data["commended"] == {"praise": 0, "certificate": 1, "merit": 0}
    # The Board and the Sở KH&CN launched or relayed the 2022 round; two Sở units registered.
    assert levels["tinh"]["launches"] == 2 and levels["co-so"]["registering_units"] == 2
    # Since the start of the period: seed 001's three, Sở Nội vụ's 2021 model and the replica.
    page = board.get("/bao-cao/BDVTU-QNG/2022/").content.decode()
    assert ("Lũy kế từ đầu giai đoạn (2021 - 2022): đăng ký 5, đã xây dựng 3, tiếp tục xây dựng 0, nhân rộng 1, "
            "được công nhận 1") in page
    assert "Số mô hình đã được công nhận trong năm 2022: 1 (cấp tỉnh 1)." in page
    # The branches add up to the Board's numbers.
    assert '<th scope="row">Cộng</th><td class="num">1</td><td class="num">0</td><td class="num">1</td>' \
           '<td class="num">1</td>' in page
    cum = json.loads(_cli("annual", "--unit", "BDVTU-QNG", "--year", "2021", "--format", "json"))
    cats = {c["category"]: c for c in cum["by_category"]}
    assert cats["he-thong-chinh-tri"]["registered"]["total"] == 2  # Tài chính, Văn phòng + Sở Nội vụ
    assert cats["kinh-te"]["built"]["total"] == 1 and cats["quoc-phong-an-ninh"]["registered"]["individual"] == 1


def _send_snv_2022(board) -> None:
    sub = Submission.objects.get(unit__code="SNV-QNG", round__year=2022, round__kind="registration")
    assert board.post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version}).status_code == 302
    assert Submission.objects.get(pk=sub.pk).status == "submitted"


def _cli(*args) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        call_command("report", *args, "-o", str(out))
        return out.read_bytes()


def test_documents_read_back(login):
    office = login("vp.skhcn")
    resp = office.get("/bao-cao/SKHCN-QNG/2022/tai-ve/bao-cao.docx")
    assert resp.status_code == 200 and resp["Content-Disposition"].endswith("''bao-cao-SKHCN-QNG-2022.docx")
    text = _text(resp.content)
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Kính gửi: Ban Dân vận Tỉnh ủy" in text
    assert "3.3. Kết quả xây dựng, nhân rộng, công nhận" in text and "II. GIỚI THIỆU MÔ HÌNH" in text
    assert "1. Thực hiện tiết kiệm điện trong cơ quan" in text and "- Cơ sở xây dựng:" in text
    assert "PHỤ LỤC SỐ LIỆU" in text and "(Kèm theo Báo cáo số: /BC-SKHCN" in text
    # The Board reports in the Party format.
    board = login("bdv.quangngai")
    _send_snv_2022(board)
    board.post("/bao-cao/BDVTU-QNG/2022/", {"action": "open"})
    party = _text(board.get("/bao-cao/BDVTU-QNG/2022/tai-ve/bao-cao.docx").content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in party and "Số -BC/BDVTU" in party
    assert "Số mô hình đã được nhân rộng ở từng cấp: 1 (cấp tỉnh 1)." in party
    # The appendix as Excel and the period review as Excel and Word.
    wb = load_workbook(io.BytesIO(office.get("/bao-cao/SKHCN-QNG/2022/tai-ve/phu-luc.xlsx").content))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Mô hình, điển hình được nhân rộng ở từng cấp" in cells
    movement = AnnualReport.objects.get(unit__code="SKHCN-QNG").movement_id
    wb = load_workbook(io.BytesIO(board.get(f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/tai-ve.xlsx").content))
    header = next(r for r in wb.active.iter_rows(values_only=True) if r and r[0] == "STT")
    assert list(header[2:]) == ["2021", "2022", "2023", "2024", "2025", "Cả giai đoạn 2021 - 2025"]
    registered = next(r for r in wb.active.iter_rows(values_only=True) if r and r[1] == "Số mô hình, điển hình đăng ký")
    assert [str(v) for v in registered[2:4]] == ["4", "1"] and str(registered[-1]) == "5"
    period_docx = _text(board.get(f"/bao-cao/BDVTU-QNG/giai-doan/{movement}/tai-ve.docx").content)
    assert "giai đoạn 2021 - 2025" in period_docx


def test_reports_are_scoped(login):
    assert login("cc.tdc").get("/bao-cao/SKHCN-QNG/2022/").status_code == 404
    assert login("vp.snv").get("/bao-cao/SKHCN-QNG/2022/tai-ve/bao-cao.docx").status_code == 404
    # An officer reads the Sở's report but the Chi cục's page offers no editing of the Sở's.
    page = login("tt.skhcn").get("/bao-cao/TT-SKHCN-QNG/2022/").content.decode()
    assert "Lập báo cáo năm 2022" in page
    assert login("tt.skhcn").post("/bao-cao/SKHCN-QNG/2022/", {"action": "open"}).status_code == 404


def test_cli_annual_and_period(demo):
    data = json.loads(_cli("annual", "--unit", "BDVTU-QNG", "--year", "2022", "--format", "json"))
    assert data["totals"]["recognized"]["total"] == 1 and data["appendix"][0][1].startswith("Phát động")
    assert _cli("annual", "--unit", "SKHCN-QNG", "--year", "2022", "--format", "docx")[:2] == b"PK"
    assert _cli("annual", "--unit", "SKHCN-QNG", "--year", "2022", "--format", "xlsx")[:2] == b"PK"
    movement = AnnualReport.objects.get(unit__code="SKHCN-QNG").movement_id
    period = json.loads(_cli("period", "--unit", "BDVTU-QNG", "--movement", str(movement), "--format", "json"))
    assert [y["year_from"] for y in period["years"]] == [2021, 2022, 2023, 2024, 2025]
    assert period["period"]["totals"]["registered"]["total"] == sum(
        y["totals"]["registered"]["total"] for y in period["years"])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có đơn vị mã XYZ"):
        _cli("annual", "--unit", "XYZ", "--year", "2022", "--format", "json")
    with pytest.raises(CommandError, match="chưa lập báo cáo năm 2022"):
        _cli("annual", "--unit", "SNV-QNG", "--year", "2022", "--format", "docx")


def test_submission_page_of_a_report_request_links_to_the_report(login):
    sub = Submission.objects.get(round=_request_2022(), unit__code="SKHCN-QNG")
    page = login("vp.skhcn").get(f"/ho-so/{sub.pk}/").content.decode()
    assert "Báo cáo của Sở Khoa học và Công nghệ" in page and "/bao-cao/SKHCN-QNG/2022/" in page


def test_bench_reports_prints_both_nodes(demo, capsys):
    call_command("bench", "reports")
    out = json.loads(capsys.readouterr().out)
    # 2022's only new model, Sở Nội vụ's replica, sits in a dossier the demo has not sent yet: not registered.
    assert out["national_root"]["unit"] == "BDVTU-QNG" and out["national_root"]["registered"] == 0
    assert out["province"]["annual_s"] >= 0 and out["target_s"] == 2.0
