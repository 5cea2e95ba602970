"""Issue 16 §6 and §12: the small things that break official letters and deadlines — the letter number printed
with the unit's code once, the blank day of an unsigned letter keeping its month and year, a deadline typed as a
day ending at the end of that day, and a stale form answered in Vietnamese with the typed text kept."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from danvan.documents.letter import bare_number
from danvan.exemplars.models import Movement
from danvan.movement.models import RegistrationRound, Submission

from .test_documents_from_data import _texts


def _docx_text(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return "\n".join(_texts(Document(io.BytesIO(data))))


def _snv_2022() -> Submission:
    return Submission.objects.get(unit__code="SNV-QNG", round__year=2022, round__kind="registration")


@pytest.mark.parametrize("typed", ["125", "125/SKHCN-VP", "Số: 125/SKHCN-VP", " 125/SNV-QNG "])
def test_letter_number_prints_the_units_code_once(login, demo, typed):
    sub = _snv_2022()
    Submission.objects.filter(pk=sub.pk).update(signed_number=typed)
    text = _docx_text(login("vp.snv").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx"))
    suffix = sub.unit.doc_suffix
    assert f"Số: 125/{suffix}" in text
    assert f"{suffix}/{suffix}" not in text and "/SKHCN-VP" not in text and "SNV-QNG" not in text


def test_party_number_keeps_its_type_and_code_once():
    assert bare_number("624-CV/BDVTU") == "624"
    assert bare_number("Số 624-CV/BDVTU") == "624"
    assert bare_number("12/KH-SKHCN") == "12"
    assert bare_number("15a") == "15a"
    assert bare_number("") == ""


def test_unsigned_letter_leaves_the_day_blank_but_keeps_month_and_year(login, demo):
    """A dossier not yet sent or signed: "Hà Nội, ngày      tháng 12 năm 2026" for the clerk to write the day in,
    as in the seeds' letters, never a line with every part blank."""
    sub = _snv_2022()
    assert sub.submitted_at is None and sub.signed_date is None
    text = _docx_text(login("vp.snv").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx"))
    today = timezone.localdate()
    month = f"{today.month:02d}" if today.month <= 2 else str(today.month)
    line = next(t for t in text.splitlines() if ", ngày " in t and " tháng " in t)
    assert line.endswith(f"tháng {month} năm {today.year}"), line
    assert line.split(", ngày ")[1].startswith(" "), "the day stays blank for the clerk"


def _launch(board, deadline: str):
    from danvan.orgs.models import OrgUnit

    return board.post("/dot-dang-ky/phat-dong/", {
        "issuer": OrgUnit.objects.get(code="BDVTU-QNG").pk, "movement": Movement.objects.get(period_start=2021).pk,
        "year": 2025, "title": f"Đăng ký năm 2099 ({deadline})", "guidance": "", "deadline": deadline,
        "target_mode": "children", "min_total": 1, "min_collective": 0, "min_individual": 0}, follow=True)


@pytest.mark.parametrize("typed, day", [("30/4/2099", datetime.date(2099, 4, 30)),
                                        ("05/4/2099", datetime.date(2099, 4, 5)),
                                        ("5/4/2099", datetime.date(2099, 4, 5))])
def test_a_deadline_typed_as_a_day_ends_at_the_end_of_that_day(login, demo, typed, day):
    _launch(login("bdv.quangngai"), typed)
    rnd = RegistrationRound.objects.get(title=f"Đăng ký năm 2099 ({typed})")
    local = timezone.localtime(rnd.deadline)
    assert local.date() == day and (local.hour, local.minute) == (23, 59)


def test_an_impossible_day_is_refused_in_vietnamese(login, demo):
    page = _launch(login("bdv.quangngai"), "31/2/2099").content.decode()
    assert "Ngày không có thật: “31/2/2099”" in page
    assert not RegistrationRound.objects.filter(title__contains="31/2/2099").exists()


def test_a_stale_form_gets_a_vietnamese_page_with_the_typed_text(login, demo):
    """A second tab or an expired sign-in: the CSRF check refuses, in Vietnamese, saves nothing, and shows back
    what the user typed so that it can be pasted again."""
    office = login("vp.skhcn")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = office.cookies
    sub = Submission.objects.get(unit__code="VP-SKHCN-QNG", round__year=2022, round__kind="registration")
    reason = "Biểu mẫu thiếu cột địa chỉ áp dụng; đề nghị bổ sung rồi gửi lại."
    before = sub.events.count()
    resp = strict.post(f"/ho-so/{sub.pk}/tra-lai/", {"comment": reason, "csrfmiddlewaretoken": "cũ"})
    assert resp.status_code == 403
    page = resp.content.decode()
    assert "Chưa lưu được: trang này đã cũ" in page and reason in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
    assert sub.events.count() == before


def _cctdc_2021() -> Submission:
    return Submission.objects.get(unit__code="CCTDC-QNG", round__year=2021, round__kind="registration")


def test_a_unit_without_letter_settings_signs_with_its_leader_and_files_to_vt(login, demo):
    """Issue 16 §6: Chi cục TĐC never set its letters up; its registration still has a signer (its leader,
    Phan Văn Sơn, Chi cục trưởng) and a copy list ending "Lưu: VT."."""
    from danvan.documents.models import LetterDefaults

    sub = _cctdc_2021()
    assert not LetterDefaults.objects.filter(unit=sub.unit).exists()
    text = _docx_text(login("cc.tdc").get(f"/ho-so/{sub.pk}/van-ban/dang-ky.docx"))
    assert "CHI CỤC TRƯỞNG" in text and "Phan Văn Sơn" in text
    assert "Lưu: VT." in text and "Như trên" in text
    page = login("cc.tdc").get(f"/ho-so/{sub.pk}/").content.decode()
    assert "chưa có người ký" not in page


def test_the_units_leader_edits_its_letter_settings_and_the_officer_cannot(login, demo):
    leader, officer = login("ld.cc"), login("cc.tdc")
    assert "Thông tin in trên văn bản" in leader.get("/don-vi/CCTDC-QNG/").content.decode()
    assert "Thông tin in trên văn bản" not in officer.get("/don-vi/CCTDC-QNG/").content.decode()
    assert officer.get("/don-vi/CCTDC-QNG/van-ban/").status_code == 404
    form = leader.get("/don-vi/CCTDC-QNG/van-ban/").content.decode()
    assert "Phan Văn Sơn" in form and "Lưu: VT." in form  # the proposed defaults, ready to keep or change
    resp = leader.post("/don-vi/CCTDC-QNG/van-ban/", {
        "address_name": "Chi cục Tiêu chuẩn Đo lường Chất lượng", "children_name": "", "authority": "",
        "authority_title": "", "signer_title": "CHI CỤC TRƯỞNG", "signer_name": "Phan Văn Sơn",
        "copies": "Như trên\nSở KH&CN\nLưu: VT.", "soft_file_email": ""}, follow=True)
    assert "Đã lưu thông tin văn bản của đơn vị." in resp.content.decode()
    text = _docx_text(officer.get(f"/ho-so/{_cctdc_2021().pk}/van-ban/dang-ky.docx"))
    assert "Sở KH&CN" in text


def test_the_dossier_warns_before_a_letter_goes_out_without_a_signer(login, demo):
    """Sở Nội vụ has no leader in the demo and no letter settings: its dossier says so and leads to the page
    where it is set; once set, the warning is gone."""
    office = login("vp.snv")
    sub = _snv_2022()
    page = office.get(f"/ho-so/{sub.pk}/").content.decode()
    assert "chưa có người ký" in page and "/don-vi/SNV-QNG/van-ban/" in page
    office.post("/don-vi/SNV-QNG/van-ban/", {
        "address_name": "", "children_name": "", "authority": "KT.", "authority_title": "GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Thị Ngọc", "copies": "Như trên\nLưu: VT.",
        "soft_file_email": ""})
    assert "chưa có người ký" not in office.get(f"/ho-so/{sub.pk}/").content.decode()
