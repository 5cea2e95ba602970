"""Issue 16 item 3 (part): a deadline extended for one unit is recorded, told to the unit, and a submission
within it counts as on time, the same on the page, in the API and in `danvan round status`."""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command
from django.utils import timezone

from danvan.movement.models import Notification, Submission


def _cc_2022() -> Submission:
    return Submission.objects.get(unit__code="CCTDC-QNG", round__year=2022)


def _until(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%d/%m/%Y 17:00")


def _cli_status(round_id: int, unit: str) -> dict:
    out = io.StringIO()
    call_command("round", "status", str(round_id), "--unit", unit, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_extension_for_one_unit_counts_as_on_time(login, api, seed_exemplars):
    sub = _cc_2022()
    assert sub.round.deadline < timezone.now()  # the Chi cục is past the Sở's internal deadline
    office = login("vp.skhcn")
    # A reason is required; the unit may not extend its own deadline.
    resp = office.post(f"/ho-so/{sub.pk}/gia-han/", {"until": _until(7), "reason": " "}, follow=True)
    assert "Lý do gia hạn" in resp.content.decode() or "Hãy ghi lý do" in resp.content.decode()
    login("cc.tdc").post(f"/ho-so/{sub.pk}/gia-han/", {"until": _until(7), "reason": "Tự gia hạn"})
    sub.refresh_from_db()
    assert sub.extended_until is None
    resp = office.post(f"/ho-so/{sub.pk}/gia-han/", {"until": _until(7), "reason": "Chi cục đang kiện toàn nhân sự"},
                       follow=True)
    html = resp.content.decode()
    assert "Đã gia hạn cho Chi cục" in html and "được gia hạn" in html
    sub.refresh_from_db()
    event = sub.events.get(action="extend")
    assert event.by.username == "vp.skhcn" and "Chi cục đang kiện toàn nhân sự" in event.comment
    assert Notification.objects.filter(user__username="cc.tdc", text__contains="gia hạn").exists()

    # The Chi cục registers and its leader sends within the extension: on time.
    ex = seed_exemplars["Vận động tổ chức, doanh nghiệp tham gia Giải thưởng chất lượng Quốc gia"]
    login("cc.tdc").post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": ex.pk, "tiep_tuc": "1", "version": sub.version})
    sub.refresh_from_db()
    login("ld.cc").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version})
    sub.refresh_from_db()
    assert sub.status == "submitted" and sub.is_late is False

    page = login("vp.skhcn").get(f"/dot-dang-ky/{sub.round_id}/?don_vi=SKHCN-QNG")
    total = page.context["c"].total
    from_api = api("vp.skhcn").get(f"/api/rounds/{sub.round_id}/completeness?unit=SKHCN-QNG").json()
    cli = _cli_status(sub.round_id, "SKHCN-QNG")
    assert total["late"] == from_api["total"]["late"] == cli["total"]["late"] == 0
    assert total["on_time"] == from_api["total"]["on_time"] == cli["total"]["on_time"] == 3
    assert api("vp.skhcn").get(f"/api/submissions/{sub.pk}").json()["extended_until"] is not None


def test_extension_through_the_api_and_its_refusals(api, demo):
    sub = _cc_2022()
    token = api("vp.skhcn")
    early = (sub.round.deadline - datetime.timedelta(days=1)).isoformat()
    resp = token.post(f"/api/submissions/{sub.pk}/extend", json.dumps({"until": early, "reason": "x"}),
                      content_type="application/json")
    assert resp.status_code == 400 and "muộn hơn hạn chung" in resp.json()["message"]
    later = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    assert api("cc.tdc").post(f"/api/submissions/{sub.pk}/extend", json.dumps({"until": later, "reason": "x"}),
                              content_type="application/json").status_code == 403
    resp = token.post(f"/api/submissions/{sub.pk}/extend", json.dumps({"until": later, "reason": "Bổ sung hồ sơ"}),
                      content_type="application/json")
    assert resp.status_code == 200
    sub.refresh_from_db()
    assert sub.extended_until is not None and sub.events.filter(action="extend").count() == 1


def _relay_2023(login, units):
    from danvan.movement.models import RegistrationRound

    board = login("bdv.quangngai")
    board.post("/dot-dang-ky/phat-dong/", {
        "issuer": units["BDVTU-QNG"].pk, "movement": RegistrationRound.objects.first().movement_id, "year": 2023,
        "title": "Đăng ký năm 2023", "deadline": _until(30), "target_mode": "children",
        "min_total": 1, "min_collective": 0, "min_individual": 0})
    rnd = RegistrationRound.objects.get(year=2023, parent_round__isnull=True)
    login("vp.skhcn").post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", {
        "title": "Đăng ký năm 2023 (Sở)", "deadline": _until(10), "min_total": 1, "min_collective": 0,
        "min_individual": 0})
    return rnd, RegistrationRound.objects.get(parent_round=rnd)


def test_a_relay_made_by_mistake_is_cancelled_while_nothing_was_sent_then_relayed_again(login, units):
    from danvan.movement.models import RegistrationRound

    rnd, relay = _relay_2023(login, units)
    office = login("vp.skhcn")
    page = office.get(f"/dot-dang-ky/{relay.pk}/").content.decode()
    assert "Hủy chuyển tiếp" in page and 'data-confirm="Hủy chuyển tiếp đợt này?' in page
    # A reason is required; the unit's officer may not cancel it.
    office.post(f"/dot-dang-ky/{relay.pk}/huy-chuyen-tiep/", {"reason": ""})
    assert login("cc.tdc").post(f"/dot-dang-ky/{relay.pk}/huy-chuyen-tiep/", {"reason": "x"}).status_code == 404
    assert RegistrationRound.objects.filter(pk=relay.pk).exists()
    resp = office.post(f"/dot-dang-ky/{relay.pk}/huy-chuyen-tiep/", {"reason": "Nhầm hạn nội bộ"}, follow=True)
    assert "Đã hủy chuyển tiếp" in resp.content.decode()
    assert not RegistrationRound.objects.filter(pk=relay.pk).exists()
    own = rnd.submissions.get(unit__code="SKHCN-QNG")
    assert "Nhầm hạn nội bộ" in own.events.get(action="cancel_relay").comment
    assert Notification.objects.filter(user__username="cc.tdc", text__contains="hủy chuyển tiếp").exists()
    # Relayed again, correctly.
    assert "Chuyển tiếp cho các đơn vị thuộc Sở Khoa học và Công nghệ" in office.get(
        f"/dot-dang-ky/{rnd.pk}/").content.decode()
    office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", {
        "title": "Đăng ký năm 2023 (Sở)", "deadline": _until(12), "min_total": 1, "min_collective": 0,
        "min_individual": 0})
    assert RegistrationRound.objects.filter(parent_round=rnd, issuer__code="SKHCN-QNG").count() == 1


def test_a_relay_with_a_sent_dossier_under_it_is_not_cancelled(login, units, seed_exemplars):
    from danvan.movement.models import RegistrationRound

    _, relay = _relay_2023(login, units)
    sub = relay.submissions.get(unit__code="VP-SKHCN-QNG")
    ex = seed_exemplars["Thực hiện tiết kiệm điện trong cơ quan"]
    login("vp.skhcn").post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": ex.pk, "tiep_tuc": "1", "version": sub.version})
    sub.refresh_from_db()
    login("ld.vp").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version})
    resp = login("vp.skhcn").post(f"/dot-dang-ky/{relay.pk}/huy-chuyen-tiep/", {"reason": "Nhầm"}, follow=True)
    assert "Không hủy được: đã có đơn vị gửi hồ sơ" in resp.content.decode()
    assert RegistrationRound.objects.filter(pk=relay.pk).exists()


def test_the_issuer_edits_a_round_recorded_in_each_dossier_and_told_to_the_targets(login, units, seed_exemplars):
    rnd, relay = _relay_2023(login, units)
    office = login("vp.skhcn")
    assert f"/dot-dang-ky/{relay.pk}/sua/" in office.get(f"/dot-dang-ky/{relay.pk}/").content.decode()
    assert login("cc.tdc").get(f"/dot-dang-ky/{relay.pk}/sua/").status_code == 404
    form = {"title": "Đăng ký năm 2023 (Sở, sửa)", "guidance": "Kế hoạch số 38/KH-UBND", "deadline": _until(15),
            "min_total": 2, "min_collective": 1, "min_individual": 1, "version": relay.version}
    # The form carries the version it read; without one nothing is saved.
    bare = office.post(f"/dot-dang-ky/{relay.pk}/sua/", {k: v for k, v in form.items() if k != "version"})
    assert "thiếu số phiên bản" in bare.content.decode()
    # Later than the Board's deadline: refused unless a reason confirms it.
    late = office.post(f"/dot-dang-ky/{relay.pk}/sua/", {**form, "deadline": _until(40)})
    assert late.status_code == 200 and "hoặc ghi lý do" in late.content.decode()
    resp = office.post(f"/dot-dang-ky/{relay.pk}/sua/", form, follow=True)
    assert "Đã sửa đợt" in resp.content.decode()
    relay.refresh_from_db()
    assert (relay.title, relay.min_total, relay.min_collective) == ("Đăng ký năm 2023 (Sở, sửa)", 2, 1)
    sub = relay.submissions.get(unit__code="CCTDC-QNG")
    event = sub.events.get(action="round_edit")
    assert event.by.username == "vp.skhcn"
    assert "Tiêu đề: Đăng ký năm 2023 (Sở) → Đăng ký năm 2023 (Sở, sửa)" in event.comment
    assert "Tối thiểu số mô hình: 1 → 2" in event.comment and "Hạn gửi:" in event.comment
    assert Notification.objects.filter(user__username="cc.tdc", text__contains="sửa đợt").exists()
    dossier = login("cc.tdc").get(f"/ho-so/{sub.pk}/").content.decode()
    assert "Sửa đợt đăng ký" in dossier and "tối thiểu 02 mô hình" in dossier
    # The same form sent again carries the version it read before the edit: stale, nothing recorded.
    stale = office.post(f"/dot-dang-ky/{relay.pk}/sua/", form)
    assert "vừa được người khác sửa" in stale.content.decode()
    # Nothing changed: said so, nothing recorded.
    again = office.post(f"/dot-dang-ky/{relay.pk}/sua/", {**form, "version": relay.version})
    assert "Không có thay đổi nào" in again.content.decode() and sub.events.filter(action="round_edit").count() == 1


def _patch(client, pk: int, body: dict):
    return client.patch(f"/api/rounds/{pk}", json.dumps(body), content_type="application/json")


def test_the_issuer_edits_a_round_through_the_api_as_on_the_page(login, api, units, seed_exemplars):
    _, relay = _relay_2023(login, units)
    office = api("vp.skhcn")
    read = office.get(f"/api/rounds/{relay.pk}").json()
    assert read["version"] == relay.version == 1
    # The version read is required.
    resp = _patch(office, relay.pk, {"title": "Đăng ký năm 2023 (Sở, sửa)"})
    assert resp.status_code == 422 and resp.json()["details"]["errors"][0]["message"] == "Thiếu trường bắt buộc."
    # Only the issuer's office edits it: the unit below sees the round and is refused; a unit outside sees nothing.
    resp = _patch(api("cc.tdc"), relay.pk, {"version": 1, "title": "Sửa trộm"})
    assert resp.status_code == 403 and "không có quyền" in resp.json()["message"]
    assert _patch(api("dangbo.stp"), relay.pk, {"version": 1, "title": "Sửa trộm"}).status_code == 404
    # Later than the Board's deadline: refused unless confirmed with a reason, in Vietnamese.
    later = (timezone.now() + datetime.timedelta(days=40)).isoformat()
    resp = _patch(office, relay.pk, {"version": 1, "deadline": later})
    assert resp.status_code == 400 and "hoặc ghi lý do" in resp.json()["message"]
    resp = _patch(office, relay.pk, {"version": 1, "title": "Đăng ký năm 2023 (Sở, sửa)", "min_total": 2,
                                     "min_collective": 1, "min_individual": 1})
    assert resp.status_code == 200, resp.content
    body = resp.json()["round"]
    assert (body["title"], body["min_total"], body["version"]) == ("Đăng ký năm 2023 (Sở, sửa)", 2, 2)
    # Recorded in each target's dossier log and told to the targets, as the page does.
    sub = relay.submissions.get(unit__code="CCTDC-QNG")
    event = sub.events.get(action="round_edit")
    assert event.by.username == "vp.skhcn" and "Tối thiểu số mô hình: 1 → 2" in event.comment
    assert "Tiêu đề: Đăng ký năm 2023 (Sở) → Đăng ký năm 2023 (Sở, sửa)" in event.comment
    assert Notification.objects.filter(user__username="cc.tdc", text__contains="sửa đợt").count() == 1
    # A stale version is a 409 and changes nothing.
    resp = _patch(office, relay.pk, {"version": 1, "title": "Lần sửa cũ"})
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    assert "vừa được người khác sửa" in resp.json()["message"]
    # Nothing changed: said so in Vietnamese, nothing recorded.
    resp = _patch(office, relay.pk, {"version": 2, "min_total": 2})
    assert resp.status_code == 400 and "Không có thay đổi nào" in resp.json()["message"]
    assert sub.events.filter(action="round_edit").count() == 1
    relay.refresh_from_db()
    assert relay.title == "Đăng ký năm 2023 (Sở, sửa)" and relay.version == 2
