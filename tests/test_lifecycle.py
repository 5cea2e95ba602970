"""An exemplar's life after registration: progress with evidence, assessment, recognition, commendation."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from danvan.exemplars.models import Commendation, Evidence, Exemplar, LifecycleEvent, Recognition
from danvan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

INSPECTION = "Thanh tra Sở Khoa học và Công nghệ"


def _docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("Biên bản kiểm tra việc tiếp công dân quý III/2021")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _tt_exemplar() -> Exemplar:
    return Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)


def test_officer_records_progress_with_evidence_and_the_page_shows_the_timeline(login):
    ex = _tt_exemplar()
    officer = login("tt.skhcn")
    resp = officer.post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Giải quyết dứt điểm 02 vụ khiếu nại kéo dài.",
        "uploads": [SimpleUploadedFile("bien-ban.docx", _docx_bytes())],
    })
    assert resp.status_code == 302
    page = officer.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert "Giải quyết dứt điểm 02 vụ khiếu nại kéo dài." in page and "bien-ban.docx" in page
    assert "Cập nhật tiến độ" in page and "Nguyễn Văn Bình" in page
    ev = Evidence.objects.get(update__exemplar=ex, original_name="bien-ban.docx")
    download = officer.get(f"/mo-hinh/{ex.pk}/minh-chung/{ev.pk}/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    # Outside the subtree the evidence does not exist.
    assert login("vp.snv").get(f"/mo-hinh/{ex.pk}/minh-chung/{ev.pk}/").status_code == 404
    ex.refresh_from_db()
    assert ex.status == "building" and ex.events.filter(action="progress", by__username="tt.skhcn").exists()


@pytest.mark.parametrize("name, data, message", [
    ("chuong-trinh.exe", b"MZ\x90\x00binary", "chỉ nhận minh chứng là ảnh JPG/PNG, PDF hoặc Word"),
    ("anh.png", b"<html><script>alert(1)</script></html>", "Nội dung tệp không đúng với phần mở rộng .png"),
])
def test_forbidden_evidence_is_refused_and_nothing_is_saved(login, name, data, message):
    ex = _tt_exemplar()
    before = (ex.version, ex.status, ex.progress.count())
    resp = login("tt.skhcn").post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Ghi nhận kết quả quý IV",
        "uploads": [SimpleUploadedFile(name, data)],
    })
    assert resp.status_code == 400 and message in resp.content.decode()
    # What the officer typed is still in the form.
    assert "Ghi nhận kết quả quý IV" in resp.content.decode()
    ex.refresh_from_db()
    assert (ex.version, ex.status, ex.progress.count()) == before


def test_too_large_evidence_is_refused(login, monkeypatch):
    from danvan.exemplars import lifecycle

    monkeypatch.setattr(lifecycle, "EVIDENCE_MAX_BYTES", 1024)
    ex = _tt_exemplar()
    resp = login("tt.skhcn").post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Ảnh hội nghị",
        "uploads": [SimpleUploadedFile("hoi-nghi.docx", _docx_bytes())],
    })
    assert resp.status_code == 400 and "tệp lớn hơn" in resp.content.decode()
    assert not Evidence.objects.filter(original_name="hoi-nghi.docx").exists()


def test_illegal_transition_is_refused_in_vietnamese(login):
    ex = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)  # still only registered
    board = login("bdv.quangngai")
    board_unit = OrgUnit.objects.get(code="BDVTU-QNG")
    resp = board.post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
        "version": ex.version, "by_unit": board_unit.pk, "decision_number": "200-QĐ/BDVTU",
        "decision_date": "01/06/2022"})
    assert resp.status_code == 400
    assert "Chỉ công nhận được mô hình đã được đánh giá kết quả đạt" in resp.content.decode()
    assert not Recognition.objects.filter(exemplar=ex).exists()
    ex.refresh_from_db()
    assert ex.status == "registered"


def test_the_whole_life_through_the_pages(login):
    ex = _tt_exemplar()  # building since the demo's progress update
    leader = login("ld.tt")
    assert leader.post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version, "achieved": "1",
                                                       "comment": "Không còn đơn thư vượt cấp."}).status_code == 302
    ex.refresh_from_db()
    assert ex.status == "assessed"
    board = login("bdv.quangngai")
    board_unit = OrgUnit.objects.get(code="BDVTU-QNG")
    # A decision dated before the model was registered (05/4/2021) is refused.
    resp = board.post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
        "version": ex.version, "by_unit": board_unit.pk, "decision_number": "130-QĐ/BDVTU",
        "decision_date": "01/03/2021"})
    assert resp.status_code == 400 and "không thể trước ngày mô hình được đăng ký (05/04/2021)" in \
        resp.content.decode()
    resp = board.post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
        "version": ex.version, "by_unit": board_unit.pk, "decision_number": "130-QĐ/BDVTU",
        "decision_date": "20/09/2022"})
    assert resp.status_code == 302
    ex.refresh_from_db()
    assert ex.status == "recognized"
    rec = Recognition.objects.get(exemplar=ex)
    assert rec.level.code == "tinh" and rec.created_by.username == "bdv.quangngai"
    # The same unit cannot recognize it twice.
    again = board.post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
        "version": ex.version, "by_unit": board_unit.pk, "decision_number": "131-QĐ/BDVTU",
        "decision_date": "21/09/2022"})
    assert again.status_code == 400 and "đã được Ban Dân vận Tỉnh ủy Quảng Ngãi công nhận" in again.content.decode()
    assert board.post(f"/mo-hinh/{ex.pk}/khen-thuong/", {
        "version": ex.version, "by_unit": board_unit.pk, "form": "merit", "decision_number": "132-QĐ/BDVTU",
        "decision_date": "20/09/2022"}).status_code == 302
    ex.refresh_from_db()
    assert ex.status == "commended" and Commendation.objects.get(exemplar=ex).get_form_display() == "Bằng khen"
    page = login("tt.skhcn").get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert "Quyết định số 130-QĐ/BDVTU ngày 20/09/2022" in page and "Bằng khen" in page
    assert "Đánh giá kết quả" in page and "Đang xây dựng → Đã đánh giá đạt" in page
    actions = list(LifecycleEvent.objects.filter(exemplar=ex).values_list("action", "by__username"))
    assert actions[-3:] == [("assess", "ld.tt"), ("recognize", "bdv.quangngai"), ("commend", "bdv.quangngai")]


def test_officer_cannot_assess_and_stale_versions_are_refused(login):
    ex = _tt_exemplar()
    officer = login("tt.skhcn")
    # An officer has no assess form and the door is closed.
    assert f'action="/mo-hinh/{ex.pk}/danh-gia/"' not in officer.get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert officer.post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version, "achieved": "1"}).status_code == 404
    resp = login("ld.tt").post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version - 1, "achieved": "0"})
    assert resp.status_code == 400 and "vừa được người khác sửa" in resp.content.decode()
    ex.refresh_from_db()
    assert ex.status == "building"


def test_recognizer_outside_the_line_is_refused(login, demo):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from danvan.exemplars import lifecycle

    ex = _tt_exemplar()
    lifecycle.assess(exemplar=ex, by=get_user_model().objects.get(username="ld.tt"), achieved=True)
    snv = OrgUnit.objects.get(code="SNV-QNG")
    admin = get_user_model().objects.get(username="admin")
    with pytest.raises(ValidationError, match="không thuộc phạm vi đơn vị này"):
        lifecycle.recognize(exemplar=ex, by=admin, by_unit=snv, decision_number="1/QĐ-SNV",
                            decision_date=datetime.date(2022, 5, 1))
    # Through the page, a unit off the exemplar's line is not even a choice.
    resp = login("admin").post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
        "version": ex.version + 1, "by_unit": snv.pk, "decision_number": "1/QĐ-SNV", "decision_date": "01/05/2022"})
    assert resp.status_code == 400 and "Hãy chọn một lựa chọn hợp lệ" in resp.content.decode()
    assert not Recognition.objects.filter(exemplar=ex).exists()


def test_decisions_exist_only_on_recognized_or_commended_models(login, demo):
    """The exemplar page reads recognitions and commendations only for these statuses (exemplars.views)."""
    from danvan.exemplars.models import DECIDED_STATUSES, Commendation, Recognition

    assert Recognition.objects.exists() or Commendation.objects.exists()
    assert not Recognition.objects.exclude(exemplar__status__in=DECIDED_STATUSES).exists()
    assert not Commendation.objects.exclude(exemplar__status__in=DECIDED_STATUSES).exists()
