"""Dates as they happened (issue 16 §7): an assessment held last year, a stop, a decision are recorded on the day
they happened, typed today; the entry time is kept apart and the timeline reads in the order things happened."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from danvan.exemplars.models import Exemplar, LifecycleEvent

pytestmark = pytest.mark.django_db


def _tt_exemplar() -> Exemplar:
    return Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)


def _timeline(page: str) -> str:
    part = page[page.index('<ol class="timeline">'):]
    part = part[:part.index("</ol>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def test_an_assessment_held_last_year_is_recorded_on_its_day_and_the_entry_time_apart(login):
    ex = _tt_exemplar()
    leader = login("ld.tt")
    resp = leader.post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version, "achieved": "1",
                                                       "date": "20/12/2021", "comment": "Đạt yêu cầu"})
    assert resp.status_code == 302
    event = LifecycleEvent.objects.get(exemplar=ex, action="assess")
    assert event.happened_on == datetime.date(2021, 12, 20)
    assert timezone.localdate(event.at) == timezone.localdate()  # typed today
    timeline = _timeline(leader.get(f"/mo-hinh/{ex.pk}/").content.decode())
    assert "20/12/2021 — Đánh giá" in timeline
    assert f"ghi lúc {timezone.localtime(event.at):%d/%m/%Y}" in timeline
    # In the order things happened: the assessment of 2021 comes before anything recorded later in 2026.
    days = [datetime.datetime.strptime(d, "%d/%m/%Y").date() for d in re.findall(r"(\d\d/\d\d/\d{4}) —", timeline)]
    assert days == sorted(days)


def test_a_day_after_today_or_before_the_registration_is_refused_and_nothing_is_saved(login):
    ex = _tt_exemplar()
    leader = login("ld.tt")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    resp = leader.post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version, "achieved": "1", "date": tomorrow})
    assert resp.status_code == 400 and "Ngày đánh giá không thể sau ngày hôm nay" in resp.content.decode()
    resp = leader.post(f"/mo-hinh/{ex.pk}/dung/", {"version": ex.version, "reason": "Hết kinh phí",
                                                  "date": "01/01/2020"})
    assert resp.status_code == 400 and "không thể trước ngày mô hình được đăng ký" in resp.content.decode()
    ex.refresh_from_db()
    assert ex.status == "building" and not LifecycleEvent.objects.filter(exemplar=ex, action__in=["assess", "stop"])


def test_the_api_takes_the_day_and_answers_with_it(api):
    ex = _tt_exemplar()
    client = api("ld.tt")
    resp = client.post(f"/api/exemplars/{ex.pk}/stop", {"version": ex.version, "reason": "Đơn vị giải thể",
                                                         "date": "2025-06-30"}, content_type="application/json")
    assert resp.status_code == 200, resp.content
    event = resp.json()["events"][-1]
    assert event["action"] == "stop" and event["happened_on"] == "2025-06-30"
    without = client.get(f"/api/exemplars/{ex.pk}/events").json()["events"]
    assert all(e["happened_on"] for e in without)


def test_the_assess_and_stop_forms_ask_for_the_day(login):
    ex = _tt_exemplar()
    page = login("ld.tt").get(f"/mo-hinh/{ex.pk}/").content.decode()
    assert page.count("Ngày đánh giá (dd/mm/yyyy)") == 1 and page.count("Ngày dừng (dd/mm/yyyy)") == 1
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_a_progress_form_with_an_error_keeps_the_attached_files_for_the_next_submit(login):
    """The date was wrong: the page says the attached file is kept, and the corrected submit saves it without
    choosing it again; another user cannot use the kept file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.exemplars.models import Evidence
    from tests.test_lifecycle import _docx_bytes

    ex = _tt_exemplar()
    officer = login("tt.skhcn")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    resp = officer.post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": tomorrow, "text": "Giải quyết dứt điểm 02 vụ khiếu nại kéo dài.",
        "uploads": [SimpleUploadedFile("bien-ban.docx", _docx_bytes())]})
    page = resp.content.decode()
    assert resp.status_code == 400 and "không thể sau ngày hôm nay" in page
    assert "Các tệp đã đính kèm được giữ lại" in page and "bien-ban.docx" in page
    token = re.search(r'name="held" value="([^"]+)"', page).group(1)
    assert not Evidence.objects.filter(update__exemplar=ex).exists()

    # Someone else naming the token gets nothing of it.
    other = login("vp.skhcn")
    other.post(f"/mo-hinh/{ex.pk}/tien-do/", {"version": ex.version, "date": "15/12/2021", "text": "Thử",
                                              "held": token})
    assert not Evidence.objects.filter(update__exemplar=ex, original_name="bien-ban.docx").exists()

    ex.refresh_from_db()
    resp = officer.post(f"/mo-hinh/{ex.pk}/tien-do/", {
        "version": ex.version, "date": "15/12/2021", "text": "Giải quyết dứt điểm 02 vụ khiếu nại kéo dài.",
        "held": token})
    assert resp.status_code == 302
    ev = Evidence.objects.get(update__exemplar=ex, original_name="bien-ban.docx")
    assert ev.size == len(_docx_bytes())
