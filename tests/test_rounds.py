"""Issue 3: the yearly cycle (launch, relay, register, submit, return, consolidate, chase) through HTTP."""

import datetime
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.movement import services
from danvan.movement.models import Notification, RegistrationRound, Reminder, Status, Submission

pytestmark = pytest.mark.django_db
FMT = "%d/%m/%Y %H:%M"


def _v(sub) -> int:
    """The submission's version now, as the page's hidden field carries it."""
    return Submission.objects.get(pk=sub.pk).version


def _future(days):
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime(FMT)


def _launch(client, **over):
    data = {"issuer": over.pop("issuer"), "movement": Movement.objects.get(period_start=2021).pk, "year": 2023,
            "title": "Đăng ký mô hình, điển hình \"Dân vận khéo\" năm 2023", "guidance": "Hướng dẫn số 08-HD/BDVTU",
            "deadline": _future(30), "target_mode": "children", "min_total": 1, "min_collective": 0,
            "min_individual": 0}
    data.update(over)
    return client.post("/dot-dang-ky/phat-dong/", data, follow=True)


def _new_exemplar(unit, by, name, kind="collective", year=2023):
    from danvan.exemplars.services import create_exemplar

    return create_exemplar(by=by, unit=unit, year=year, movement=Movement.objects.get(period_start=2021),
                           field=Field.objects.get(name="Lĩnh vực thanh tra"), name=name, kind=kind,
                           address="202A, đường Trường Chinh", content_problem="Nội dung", origin="new").exemplar


@pytest.fixture
def round2023(login, units):
    board = login("bdv.quangngai")
    resp = _launch(board, issuer=units["BDVTU-QNG"].pk)
    assert "Đã phát động" in resp.content.decode()
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")
    office = login("vp.skhcn")
    resp = office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/",
                       {"title": rnd.title, "deadline": _future(10), "min_total": 1, "min_collective": 0,
                        "min_individual": 0}, follow=True)
    assert "Đã chuyển tiếp" in resp.content.decode()
    relay = RegistrationRound.objects.get(parent_round=rnd, issuer__code="SKHCN-QNG")
    return rnd, relay


def test_launch_creates_one_submission_per_child(round2023):
    rnd, relay = round2023
    assert set(rnd.submissions.values_list("unit__code", flat=True)) == {"SKHCN-QNG", "SNV-QNG"}
    assert set(relay.submissions.values_list("unit__code", flat=True)) == {"VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG"}
    assert relay.root == rnd and relay.deadline < rnd.deadline


def test_relay_later_than_parent_and_past_deadline_warn(login, units):
    board = login("bdv.quangngai")
    resp = _launch(board, issuer=units["BDVTU-QNG"].pk, deadline="01/01/2020 17:00")
    assert "Hạn gửi đã qua" in resp.content.decode()
    rnd = RegistrationRound.objects.get(year=2023)
    relay = {"title": "x", "deadline": _future(60), "min_total": 0, "min_collective": 0, "min_individual": 0}
    office = login("vp.skhcn")
    # A later internal deadline is refused unless a reason confirms it; the reason is recorded.
    resp = office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", relay)
    assert resp.status_code == 200 and "Hãy chọn hạn sớm hơn, hoặc ghi lý do" in resp.content.decode()
    assert not RegistrationRound.objects.filter(parent_round=rnd).exists()
    resp = office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/",
                       {**relay, "late_reason": "Cấp trên cho phép gửi bổ sung"}, follow=True)
    html = resp.content.decode()
    assert "Hạn nội bộ muộn hơn hạn của cấp trên" in html and "Chỉ tiêu thấp hơn" in html
    own = rnd.submissions.get(unit__code="SKHCN-QNG")
    assert "lý do: Cấp trên cho phép gửi bổ sung" in own.events.get(action="relay").comment


def test_bad_launch_input_refused(login, units):
    board = login("bdv.quangngai")
    resp = _launch(board, issuer=units["BDVTU-QNG"].pk, min_total=-1)
    assert "lớn hơn hoặc bằng" in resp.content.decode()
    resp = _launch(board, issuer=units["BDVTU-QNG"].pk, year=2030)
    assert "nằm ngoài giai đoạn" in resp.content.decode()
    assert not RegistrationRound.objects.filter(year__in=[2023, 2030]).exists()
    # An officer cannot launch at all; nor for a unit outside their rights.
    assert login("tt.skhcn").get("/dot-dang-ky/phat-dong/").status_code == 403
    resp = _launch(login("vp.skhcn"), issuer=units["BDVTU-QNG"].pk)
    assert "Hãy chọn một lựa chọn hợp lệ" in resp.content.decode()


def test_officer_cannot_submit_leader_can_once(login, units, round2023):
    rnd, relay = round2023
    tt_sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    officer = login("tt.skhcn")
    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG")
    resp = officer.post(f"/ho-so/{tt_sub.pk}/them-mo-hinh/", {"exemplar": [ex.pk], "tiep_tuc": "1",
                                                             "version": tt_sub.version},
                        follow=True)
    assert "Đã thêm 1 mô hình" in resp.content.decode()
    resp = officer.post(f"/ho-so/{tt_sub.pk}/gui/", {"version": _v(tt_sub)}, follow=True)
    assert "Chỉ lãnh đạo đơn vị" in resp.content.decode()
    assert Submission.objects.get(pk=tt_sub.pk).status == Status.DRAFT
    leader = login("ld.tt")
    assert "Đã gửi đăng ký" in leader.post(f"/ho-so/{tt_sub.pk}/gui/", {"version": _v(tt_sub)}, follow=True).content.decode()
    again = leader.post(f"/ho-so/{tt_sub.pk}/gui/", {"version": _v(tt_sub)}, follow=True).content.decode()
    assert "không gửi lại lần nữa" in again
    tt_sub.refresh_from_db()
    assert tt_sub.status == Status.SUBMITTED and not tt_sub.is_late
    assert tt_sub.events.filter(action="submit").count() == 1
    # Read-only until returned.
    resp = officer.post(f"/ho-so/{tt_sub.pk}/bo-mo-hinh/{ex.pk}/", {"version": _v(tt_sub)}, follow=True)
    assert "không sửa được" in resp.content.decode()
    assert tt_sub.items.count() == 1


def test_quota_is_checked_with_a_message_naming_what_is_missing(login, units):
    board = login("bdv.quangngai")
    _launch(board, issuer=units["BDVTU-QNG"].pk, min_total=2, min_collective=1, min_individual=1)
    rnd = RegistrationRound.objects.get(year=2023)
    sub = rnd.submissions.get(unit__code="SNV-QNG")
    ex = Exemplar.objects.get(unit__code="SNV-QNG", year=2021)  # a collective exemplar
    resp = board.post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": [ex.pk], "tiep_tuc": "1", "version": _v(sub)},
                      follow=True)
    assert "Đã thêm" in resp.content.decode()
    resp = board.post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)}, follow=True)
    assert "Còn thiếu 1 mô hình cá nhân" in resp.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == Status.DRAFT


def test_return_needs_a_comment_then_resubmit_and_accept(login, units, round2023):
    rnd, relay = round2023
    tt_sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    services.attach_exemplars(submission=tt_sub, exemplars=[Exemplar.objects.get(unit__code="TT-SKHCN-QNG")],
                              by=tt_sub.unit.memberships.first().user, continued=True)
    login("ld.tt").post(f"/ho-so/{tt_sub.pk}/gui/", {"version": _v(tt_sub)})
    office = login("vp.skhcn")
    resp = office.post(f"/ho-so/{tt_sub.pk}/tra-lai/", {"comment": "  "}, follow=True)
    assert "Hãy ghi rõ lý do trả lại" in resp.content.decode()
    assert Submission.objects.get(pk=tt_sub.pk).status == Status.SUBMITTED
    resp = office.post(f"/ho-so/{tt_sub.pk}/tra-lai/", {"comment": "Bổ sung mô hình cá nhân"}, follow=True)
    assert "Đã trả lại" in resp.content.decode()
    assert Notification.objects.filter(user__username="tt.skhcn", text__contains="Bổ sung mô hình cá nhân").exists()
    timeline = login("tt.skhcn").get(f"/ho-so/{tt_sub.pk}/").content.decode()
    assert "Trả lại" in timeline and "Bổ sung mô hình cá nhân" in timeline
    login("ld.tt").post(f"/ho-so/{tt_sub.pk}/gui/", {"version": _v(tt_sub)})
    assert "Đã tiếp nhận" in office.post(f"/ho-so/{tt_sub.pk}/tiep-nhan/", follow=True).content.decode()
    assert Submission.objects.get(pk=tt_sub.pk).status == Status.ACCEPTED
    # A unit cannot accept its own submission.
    resp = login("ld.tt").post(f"/ho-so/{tt_sub.pk}/tra-lai/", {"comment": "x"}, follow=True)
    assert "không có quyền" in resp.content.decode()


def test_consolidation_and_no_silent_drift(login, units, round2023):
    rnd, relay = round2023
    office, board = login("vp.skhcn"), login("bdv.quangngai")
    for code, leader in (("TT-SKHCN-QNG", "ld.tt"), ("VP-SKHCN-QNG", "ld.vp")):
        sub = relay.submissions.get(unit__code=code)
        services.attach_exemplars(submission=sub, exemplars=list(services.continuable_exemplars(sub)), continued=True,
                                  by=login and sub.unit.memberships.first().user)
        login(leader).post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)})
        office.post(f"/ho-so/{sub.pk}/tiep-nhan/")
    skhcn_sub = rnd.submissions.get(unit__code="SKHCN-QNG")
    resp = office.post(f"/ho-so/{skhcn_sub.pk}/tong-hop/", follow=True)
    assert "Chưa tiếp nhận hồ sơ của: Chi cục" in resp.content.decode()
    login("ld.skhcn").post(f"/ho-so/{skhcn_sub.pk}/gui/", {"version": _v(skhcn_sub)})
    skhcn_sub.refresh_from_db()
    assert skhcn_sub.status == Status.SUBMITTED and skhcn_sub.n_total == 2
    assert set(skhcn_sub.items.values_list("via__unit__code", flat=True)) == {"TT-SKHCN-QNG", "VP-SKHCN-QNG"}
    # The Board's view of the branch equals what the branch sent up.
    html = board.get(f"/ho-so/{skhcn_sub.pk}/").content.decode()
    assert "tiếp công dân" in html and "tiết kiệm điện" in html
    tt_sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    resp = office.post(f"/ho-so/{tt_sub.pk}/tra-lai/", {"comment": "Sửa lại"}, follow=True)
    assert "Cần cấp trên trả lại hồ sơ tổng hợp" in resp.content.decode()
    assert Submission.objects.get(pk=tt_sub.pk).status == Status.ACCEPTED
    board.post(f"/ho-so/{skhcn_sub.pk}/tra-lai/", {"comment": "Thiếu Chi cục"})
    resp = office.post(f"/ho-so/{tt_sub.pk}/tra-lai/", {"comment": "Sửa lại"}, follow=True)
    assert "Đã trả lại" in resp.content.decode()
    skhcn_sub.refresh_from_db()
    assert skhcn_sub.n_total == 1  # TT's exemplar left the consolidated registration with it


def test_completeness_per_level_drilldown_and_export(login, units, round2023):
    rnd, relay = round2023
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    services.attach_exemplars(submission=sub, exemplars=list(services.continuable_exemplars(sub)), continued=True,
                              by=sub.unit.memberships.first().user)
    login("ld.tt").post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)})
    board = login("bdv.quangngai")
    html = board.get(f"/dot-dang-ky/{rnd.pk}/").content.decode()
    assert "Đã gửi <strong>1</strong>/5 đơn vị (20,0%)" in html
    # The count says what it counts (issue 16 §10).
    assert "phải gửi: 2 đơn vị trực thuộc và 3 đơn vị cấp dưới của các đơn vị đó;" in html
    assert "Cấp tỉnh" in html and "Cấp cơ sở" in html
    html = board.get(f"/dot-dang-ky/{rnd.pk}/?don_vi=SKHCN-QNG").content.decode()
    assert "/4 đơn vị (25,0%) — phải gửi: 3 đơn vị trực thuộc và Sở Khoa học và Công nghệ;" in html
    assert "Đã gửi đúng hạn" in html and "Chưa bắt đầu" in html and "Chi cục Tiêu chuẩn" in html
    resp = board.get(f"/dot-dang-ky/{rnd.pk}/tien-do.xlsx?don_vi=SKHCN-QNG")
    assert resp.status_code == 200
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb["Đơn vị trực thuộc"].iter_rows(values_only=True))
    assert ("TT-SKHCN-QNG", "Thanh tra Sở Khoa học và Công nghệ", "Đã gửi đúng hạn", 1, None) in rows or any(
        r[0] == "TT-SKHCN-QNG" and r[2] == "Đã gửi đúng hạn" for r in rows)
    # CLI: the same numbers as the page.
    call_command("round", "status", str(rnd.pk), "--json")


def test_cli_status_matches_page(login, units, round2023, capsys):
    rnd, _ = round2023
    call_command("round", "status", str(rnd.pk), "--unit", "SKHCN-QNG", "--json")
    data = json.loads(capsys.readouterr().out)
    # The branch counts the Sở's own registration to the Board and its three units'.
    assert data["total"]["expected"] == 4 and data["total"]["submitted"] == 0
    assert {c["code"] for c in data["children"]} == {"VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG"}
    call_command("round", "list", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert any(r["id"] == rnd.pk and r["targets"] == 2 for r in listed)


def test_reminder_notifies_and_emails_members(login, units, round2023, django_capture_on_commit_callbacks):
    rnd, relay = round2023
    cc_sub = relay.submissions.get(unit__code="CCTDC-QNG")
    office = login("vp.skhcn")
    with django_capture_on_commit_callbacks(execute=True):
        resp = office.post(f"/dot-dang-ky/{relay.pk}/nhac/",
                           {"submission": [cc_sub.pk], "message": "Khẩn trương."}, follow=True)
    assert "Đã nhắc: Chi cục" in resp.content.decode()
    assert Notification.objects.filter(user__username__in=["cc.tdc", "ld.cc"], kind="reminder").count() == 2
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {"cc.tdc@danvan.local", "ld.cc@danvan.local"}
    assert "Khẩn trương." in mail.outbox[0].body
    page = login("cc.tdc").get("/thong-bao/").content.decode()
    assert "khẩn trương hoàn thành đăng ký" in page
    # Someone without rights over the issuer cannot remind.
    assert login("tt.skhcn").post(f"/dot-dang-ky/{relay.pk}/nhac/", {"submission": [cc_sub.pk]}).status_code == 404


def test_auto_reminders_are_sent_once(units, round2023, settings):
    rnd, relay = round2023
    days = (timezone.localdate(relay.deadline) - timezone.localdate()).days
    first = services.auto_remind(days_before=[days])
    assert {r.submission.unit.code for r in first} == {"VP-SKHCN-QNG", "CCTDC-QNG", "TT-SKHCN-QNG"}
    assert services.auto_remind(days_before=[days]) == []
    call_command("remind")
    assert Reminder.objects.filter(key=f"before-{days}").count() == 3


def test_scoping_of_rounds(login, units, round2023):
    rnd, relay = round2023
    outsider = login("dangbo.stp")
    assert outsider.get(f"/dot-dang-ky/{rnd.pk}/").status_code == 404
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    assert outsider.get(f"/ho-so/{sub.pk}/").status_code == 404
    assert outsider.post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)}).status_code == 404
    assert "năm 2023" not in outsider.get("/dot-dang-ky/").content.decode()
    # A sibling unit sees the round but not another unit's registration.
    cc = login("cc.tdc")
    assert cc.get(f"/dot-dang-ky/{relay.pk}/?don_vi=CCTDC-QNG").status_code == 200
    assert cc.get(f"/ho-so/{sub.pk}/").status_code == 404


def test_late_submission_is_recorded(login, units):
    board = login("bdv.quangngai")
    _launch(board, issuer=units["BDVTU-QNG"].pk, deadline="01/01/2023 17:00")
    rnd = RegistrationRound.objects.get(year=2023)
    sub = rnd.submissions.get(unit__code="SNV-QNG")
    board.post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": [Exemplar.objects.get(unit__code="SNV-QNG", year=2021).pk],
                                              "tiep_tuc": "1", "version": _v(sub)})
    resp = board.post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)}, follow=True)
    assert "gửi muộn" in resp.content.decode()
    sub.refresh_from_db()
    assert sub.is_late and sub.on_behalf  # the Board entered SNV's file on its behalf
    assert "Đã gửi, muộn hạn" in board.get(f"/dot-dang-ky/{rnd.pk}/").content.decode()


def test_stale_edit_refused(login, units, round2023):
    rnd, relay = round2023
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    ex = _new_exemplar(units["TT-SKHCN-QNG"], sub.unit.memberships.first().user, "Mô hình mới 2023")
    old = sub.version
    login("tt.skhcn").post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": [ex.pk], "version": old})
    resp = login("ld.tt").post(f"/ho-so/{sub.pk}/gui/", {"version": old}, follow=True)
    assert "vừa được người khác thay đổi" in resp.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == Status.DRAFT


def test_demo_rounds(demo):
    r21 = RegistrationRound.objects.get(year=2021, issuer__code="BDVTU-QNG")
    assert not r21.submissions.exclude(status=Status.ACCEPTED).exists()
    assert Submission.objects.filter(root=r21).count() == 5
    skhcn = r21.submissions.get(unit__code="SKHCN-QNG")
    assert skhcn.n_total == 3 and timezone.localtime(skhcn.submitted_at).date() == datetime.date(2021, 4, 27)
    r22 = RegistrationRound.objects.get(year=2022, issuer__code="BDVTU-QNG", kind="registration")
    cc = Submission.objects.get(root=r22, unit__code="CCTDC-QNG")
    assert cc.status == Status.NOT_STARTED and cc.round.deadline < timezone.now()


def test_completeness_tables_equal_a_count_of_the_submissions(api, login, units, round2023):
    """Per level, per child branch and in total, the API's completeness equals a plain count of the family's
    submissions below the node (one grouped scan answers the level and branch tables)."""
    from danvan.orgs.models import OrgUnit

    rnd, relay = round2023
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    services.attach_exemplars(submission=sub, exemplars=list(services.continuable_exemplars(sub)), continued=True,
                              by=sub.unit.memberships.first().user)
    login("ld.tt").post(f"/ho-so/{sub.pk}/gui/", {"version": _v(sub)})
    for code in ("BDVTU-QNG", "SKHCN-QNG"):
        node = OrgUnit.objects.get(code=code)
        resp = api("bdv.quangngai").get(f"/api/rounds/{rnd.pk}/completeness?unit={code}")
        assert resp.status_code == 200, resp.content
        data = resp.json()
        family = Submission.objects.filter(root=rnd, unit_path__startswith=node.path)

        def counts(qs) -> tuple[int, int]:
            return qs.count(), qs.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED]).count()

        assert (data["total"]["expected"], data["total"]["submitted"]) == counts(family)
        levels = {r["level"]: (r["expected"], r["submitted"]) for r in data["by_level"]}
        assert levels == {lv.name: counts(family.filter(unit__level=lv))
                          for lv in {s.unit.level for s in family.select_related("unit__level")}}
        children = {c["code"]: c["subtree"] for c in data["children"]}
        assert children
        for child in OrgUnit.objects.filter(path__startswith=node.path, depth=node.depth + 1):
            expected = counts(family.filter(unit_path__startswith=child.path))
            if expected[0]:
                got = children[child.code]
                assert (got["expected"], got["submitted"]) == expected, child.code
