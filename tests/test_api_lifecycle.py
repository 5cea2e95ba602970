"""Issue 8: the exemplar's lifecycle through the API — the same services, rights and refusals as the page."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from danvan.exemplars.models import (
    Commendation,
    Exemplar,
    LifecycleEvent,
    ProgressUpdate,
    Recognition,
)

from .test_api import _json, _post
from .test_lifecycle import _docx_bytes, _tt_exemplar

pytestmark = pytest.mark.django_db


def _tt() -> Exemplar:
    return _tt_exemplar()  # "tiếp công dân", building


def _state(ex: Exemplar) -> tuple:
    ex.refresh_from_db()
    return (ex.status, ex.version, ex.events.count(), ex.progress.count(), ex.recognitions.count(),
            ex.commendations.count())


def test_first_progress_starts_building_and_the_timeline_shows_it(api):
    ex = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)
    assert ex.status == "registered"
    office = api("vp.snv")
    body = _json(_post(office, f"/api/exemplars/{ex.pk}/progress",
                       {"version": ex.version, "date": "2021-06-15", "text": "Rà soát thủ tục hành chính."}), 200)
    assert body["exemplar"]["status"] == "building" and body["exemplar"]["version"] == ex.version + 2
    assert [e["action"] for e in body["events"]] == ["start", "progress"]
    assert body["events"][-1]["by"] == "Trương Thị Hạnh" and body["progress"]["text"] == "Rà soát thủ tục hành chính."
    timeline = _json(office.get(f"/api/exemplars/{ex.pk}/events"), 200)
    assert timeline["status"] == "building" and timeline["version"] == ex.version + 2
    assert [e["action"] for e in timeline["events"]][-2:] == ["start", "progress"]
    assert timeline["progress"][-1]["date"] == "2021-06-15"


def test_officer_records_progress_and_sees_evidence_names(api, login):
    ex = _tt()
    # Evidence files are uploaded on the page; the API lists their names.
    assert login("tt.skhcn").post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "01/12/2021", "text": "Biên bản quý III",
        "uploads": [SimpleUploadedFile("bien-ban.docx", _docx_bytes())]}).status_code == 302
    ex.refresh_from_db()
    officer = api("tt.skhcn")
    body = _json(_post(officer, f"/api/exemplars/{ex.pk}/progress",
                       {"version": ex.version, "date": "2021-12-15", "text": "Giải quyết dứt điểm 02 vụ."}), 200)
    assert body["exemplar"]["status"] == "building"
    assert [e["action"] for e in body["events"]] == ["progress"] and body["events"][0]["by"] == "Nguyễn Văn Bình"
    assert ProgressUpdate.objects.filter(exemplar=ex, text="Giải quyết dứt điểm 02 vụ.",
                                         created_by__username="tt.skhcn").exists()
    timeline = _json(officer.get(f"/api/exemplars/{ex.pk}/events"), 200)
    assert [ev["name"] for p in timeline["progress"] if p["text"] == "Biên bản quý III"
            for ev in p["evidence"]] == ["bien-ban.docx"]
    assert timeline["progress"][-1]["text"] == "Giải quyết dứt điểm 02 vụ."
    # A date in the future is the service's refusal, in Vietnamese, and nothing changes.
    before = _state(ex)
    err = _json(_post(officer, f"/api/exemplars/{ex.pk}/progress",
                      {"version": ex.version, "date": "2999-01-01", "text": "x"}), 400)
    assert "không thể sau ngày hôm nay" in err["message"]
    assert _state(ex) == before


def test_the_whole_life_and_replays_are_refused_with_nothing_changed(api):
    ex = _tt()
    old = ex.version
    leader = api("ld.tt")
    body = _json(_post(leader, f"/api/exemplars/{ex.pk}/assess",
                       {"version": old, "achieved": True, "comment": "Không còn đơn thư vượt cấp."}), 200)
    assert body["exemplar"]["status"] == "assessed" and body["events"][0]["to_status"] == "assessed"
    assessed_version = body["exemplar"]["version"]
    # Replaying the same call with the old version: 409 stale, nothing changed.
    before = _state(ex)
    err = _json(_post(leader, f"/api/exemplars/{ex.pk}/assess", {"version": old, "achieved": True}), 409)
    assert err["code"] == "stale" and "vừa được người khác sửa" in err["message"]
    assert _state(ex) == before
    # Replaying it with the current version: the transition is refused.
    err = _json(_post(leader, f"/api/exemplars/{ex.pk}/assess", {"version": assessed_version, "achieved": True}), 400)
    assert err["code"] == "transition" and "Chỉ đánh giá kết quả được mô hình đang xây dựng" in err["message"]
    assert _state(ex) == before

    board = api("bdv.quangngai")
    decision = {"version": assessed_version, "by_unit": "BDVTU-QNG", "decision_number": "130-QĐ/BDVTU",
                "decision_date": "2022-09-20"}
    body = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions", decision), 200)
    assert body["exemplar"]["status"] == "recognized"
    assert body["recognition"]["by_unit"] == "BDVTU-QNG" and body["recognition"]["level"] == "tinh"
    assert body["events"][0]["action"] == "recognize" and body["events"][0]["by"] == "Phạm Thị Thu"
    recognized_version = body["exemplar"]["version"]
    before = _state(ex)
    err = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions", decision), 409)  # the same call again
    assert err["code"] == "stale"
    err = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions",
                      {**decision, "version": recognized_version, "decision_number": "131-QĐ/BDVTU"}), 400)
    assert err["code"] == "duplicate" and "đã được Ban Dân vận Tỉnh ủy Quảng Ngãi công nhận" in err["message"]
    assert _state(ex) == before and Recognition.objects.filter(exemplar=ex).count() == 1

    rid = body["recognition"]["id"]
    pub = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions/{rid}/publish",
                      {"version": recognized_version}), 200)
    assert pub["recognition"]["published"] is True and pub["events"][0]["action"] == "publish"
    before = _state(ex)
    err = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions/{rid}/publish",
                      {"version": pub["exemplar"]["version"]}), 400)
    assert err["code"] == "unchanged" and "đã được công khai" in err["message"]
    assert _state(ex) == before

    body = _json(_post(board, f"/api/exemplars/{ex.pk}/commendations",
                       {**decision, "version": pub["exemplar"]["version"], "form": "merit",
                        "decision_number": "132-QĐ/BDVTU"}), 200)
    assert body["exemplar"]["status"] == "commended" and body["commendation"]["form_label"] == "Bằng khen"
    assert Commendation.objects.get(exemplar=ex).created_by.username == "bdv.quangngai"
    wd = _json(_post(board, f"/api/exemplars/{ex.pk}/recognitions/{rid}/withdraw",
                     {"version": body["exemplar"]["version"]}), 200)
    assert wd["recognition"]["published"] is False
    timeline = _json(api("tt.skhcn").get(f"/api/exemplars/{ex.pk}/events"), 200)
    assert [e["action"] for e in timeline["events"]][-5:] == ["assess", "recognize", "publish", "commend",
                                                               "unpublish"]
    assert timeline["recognitions"][0]["decision_number"] == "130-QĐ/BDVTU"
    assert timeline["commendations"][0]["form"] == "merit"


def test_recognizing_a_model_not_yet_assessed_is_refused(api):
    ex = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)  # still only registered
    before = _state(ex)
    err = _json(_post(api("bdv.quangngai"), f"/api/exemplars/{ex.pk}/recognitions",
                      {"version": ex.version, "by_unit": "BDVTU-QNG", "decision_number": "200-QĐ/BDVTU",
                       "decision_date": "2022-06-01"}), 400)
    assert err["code"] == "transition"
    assert "Chỉ công nhận được mô hình đã được đánh giá kết quả đạt" in err["message"]
    assert _state(ex) == before


def test_visible_but_not_allowed_is_403_outside_scope_is_404(api):
    ex = _tt()
    before = _state(ex)
    officer = api("tt.skhcn")  # sees the model, may record progress, may not assess or decide
    err = _json(_post(officer, f"/api/exemplars/{ex.pk}/assess", {"version": ex.version, "achieved": True}), 403)
    assert err["code"] == "forbidden" and "Chỉ lãnh đạo đơn vị hoặc cấp trên" in err["message"]
    err = _json(_post(officer, f"/api/exemplars/{ex.pk}/stop", {"version": ex.version, "reason": "x"}), 403)
    assert err["code"] == "forbidden"
    err = _json(_post(officer, f"/api/exemplars/{ex.pk}/recognitions",
                      {"version": ex.version, "by_unit": "TT-SKHCN-QNG", "decision_number": "1/QĐ",
                       "decision_date": "2022-06-01"}), 403)
    assert err["code"] == "forbidden" and "không có quyền ghi quyết định công nhận" in err["message"]
    # An officer of another unit: the model does not exist for them.
    other = api("vp.snv")
    assert _json(other.get(f"/api/exemplars/{ex.pk}/events"), 404)["code"] == "not_found"
    assert _json(_post(other, f"/api/exemplars/{ex.pk}/progress",
                       {"version": ex.version, "date": "2021-12-15", "text": "x"}), 404)["code"] == "not_found"
    assert _json(_post(other, f"/api/exemplars/{ex.pk}/assess",
                       {"version": ex.version, "achieved": False}), 404)["code"] == "not_found"
    # A deciding unit nobody can see is not a choice either.
    err = _json(_post(api("ld.tt"), f"/api/exemplars/{ex.pk}/recognitions",
                      {"version": ex.version, "by_unit": "SNV-QNG", "decision_number": "1/QĐ",
                       "decision_date": "2022-06-01"}), 404)
    assert err["details"]["fields"]["by_unit"]
    assert _state(ex) == before
    assert not LifecycleEvent.objects.filter(exemplar=ex, by__username__in=["tt.skhcn", "vp.snv"]).exists()


def test_unknown_fields_and_stop(api):
    ex = _tt()
    leader = api("ld.tt")
    err = _json(_post(leader, f"/api/exemplars/{ex.pk}/assess",
                      {"version": ex.version, "achieved": True, "status": "commended"}), 422)
    assert err["code"] == "validation_error"
    body = _json(_post(leader, f"/api/exemplars/{ex.pk}/stop",
                       {"version": ex.version, "reason": "Đơn vị sáp nhập."}), 200)
    assert body["exemplar"]["status"] == "stopped" and body["events"][0]["comment"] == "Đơn vị sáp nhập."
    err = _json(_post(api("tt.skhcn"), f"/api/exemplars/{ex.pk}/progress",
                      {"version": body["exemplar"]["version"], "date": "2021-12-15", "text": "x"}), 400)
    assert err["code"] == "transition" and "không cập nhật tiến độ được nữa" in err["message"]


def test_progress_with_evidence_files_and_their_download(api):
    ex = _tt()
    officer = api("tt.skhcn")
    report = _docx_bytes()
    url = f"/api/exemplars/{ex.pk}/progress/evidence"
    saved = _json(officer.post(url, {"version": ex.version, "date": "2021-12-15",
                                     "text": "Giải quyết dứt điểm 02 vụ khiếu nại kéo dài.",
                                     "files": [SimpleUploadedFile("bien-ban.docx", report)]}), 200)
    evidence = saved["progress"]["evidence"]
    assert [e["name"] for e in evidence] == ["bien-ban.docx"]
    download = officer.get(f"/api/exemplars/{ex.pk}/evidence/{evidence[0]['id']}")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content) == report
    # Outside the scope the file does not exist; an unknown id is a JSON 404.
    assert api("vp.snv").get(f"/api/exemplars/{ex.pk}/evidence/{evidence[0]['id']}").status_code == 404
    assert _json(officer.get(f"/api/exemplars/{ex.pk}/evidence/999999"), 404)["code"] == "not_found"
    # A forbidden file is refused in Vietnamese and nothing is recorded.
    version = saved["exemplar"]["version"]
    updates = ProgressUpdate.objects.filter(exemplar=ex).count()
    bad = officer.post(url, {"version": version, "date": "2021-12-16", "text": "Thêm một lần nữa.",
                             "files": [SimpleUploadedFile("chuong-trinh.exe", b"MZ\x90\x00binary")]})
    assert bad.status_code == 400 and "minh chứng" in bad.content.decode()
    assert ProgressUpdate.objects.filter(exemplar=ex).count() == updates
