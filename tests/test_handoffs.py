"""Issue 16 item 1: every hand-off reaches the person who must act — in the app, by e-mail (a real SMTP peer)
and as an item of "Việc cần làm" on their home page, which disappears once they have acted."""

from __future__ import annotations

import re

import pytest

from danvan.movement.models import MailStatus, Notification, RegistrationRound, Status, Submission
from danvan.orgs.models import OrgUnit
from tests.test_rounds import _future, _launch, _new_exemplar

pytestmark = pytest.mark.django_db


def _todo(client) -> str:
    """The home page's "Việc cần làm" section, as text."""
    html = client.get("/").content.decode()
    match = re.search(r'<section class="card todo".*?</section>', html, re.S)
    assert match, "trang chủ không có mục Việc cần làm"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def _notes(username: str, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user__username=username, kind=kind))


@pytest.fixture
def year(login, units, smtp, django_capture_on_commit_callbacks):
    """The Board launches 2023, the Sở relays it: every step runs its on-commit e-mails."""
    board, office = login("bdv.quangngai"), login("vp.skhcn")
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã phát động" in _launch(board, issuer=units["BDVTU-QNG"].pk).content.decode()
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")
    with django_capture_on_commit_callbacks(execute=True):
        resp = office.post(f"/dot-dang-ky/{rnd.pk}/chuyen-tiep/SKHCN-QNG/", {
            "title": "Đăng ký thực hiện mô hình, điển hình \"Dân vận khéo\" năm 2023", "deadline": _future(10),
            "min_total": 1, "min_collective": 0, "min_individual": 0}, follow=True)
    assert "Đã chuyển tiếp" in resp.content.decode()
    return rnd, RegistrationRound.objects.get(parent_round=rnd)


def test_a_launch_reaches_each_target_units_people(year, login, smtp):
    rnd, relay = year
    snv = rnd.submissions.get(unit__code="SNV-QNG")
    # The Sở Nội vụ's office hears of the Board's round, with the link to its own dossier …
    (note,) = _notes("vp.snv", "launch")
    assert note.url == f"/ho-so/{snv.pk}/" and "Ban Dân vận Tỉnh ủy Quảng Ngãi phát động đợt" in note.text
    assert note.email_status == MailStatus.SENT
    (mail,) = smtp.to("vp.snv@danvan.local")
    assert "Đợt đăng ký mới" in smtp.subject(mail) and f"/ho-so/{snv.pk}/" in smtp.body(mail)
    # … and sees it first on its home page; the Board is not told of its own step.
    assert "Đơn vị cần đăng ký" in _todo(login("vp.snv")) and "Sở Nội vụ" in _todo(login("vp.snv"))
    assert not Notification.objects.filter(user__username="bdv.quangngai").exists()
    # The relay reaches the Chi cục's officer and leader, each with the Chi cục's dossier.
    cc = relay.submissions.get(unit__code="CCTDC-QNG")
    for person in ("cc.tdc", "ld.cc"):
        (note,) = _notes(person, "relay")
        assert note.url == f"/ho-so/{cc.pk}/" and "hạn gửi" in note.text
        assert len(smtp.to(f"{person}@danvan.local")) == 1
    todo = _todo(login("cc.tdc"))
    assert "Đăng ký thực hiện mô hình" in todo and f'href="/ho-so/{cc.pk}/"' in login("cc.tdc").get("/").content.decode()
    # Before the relay the Sở's office had it to relay; once relayed it is gone.
    assert "Chuyển tiếp cho đơn vị trực thuộc" not in _todo(login("vp.skhcn"))


def test_approval_submission_acceptance_hand_offs(year, login, smtp, django_capture_on_commit_callbacks):
    rnd, relay = year
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    officer, leader, office = login("tt.skhcn"), login("ld.tt"), login("vp.skhcn")
    from django.contrib.auth.models import User

    ex = _new_exemplar(sub.unit, User.objects.get(username="tt.skhcn"), "Tiếp công dân lưu động năm 2023")
    officer.post(f"/ho-so/{sub.pk}/them-mo-hinh/", {"exemplar": [ex.pk], "version": sub.version})
    sub.refresh_from_db()
    # The officer hands it to the leader.
    page = officer.get(f"/ho-so/{sub.pk}/").content.decode()
    assert "Trình lãnh đạo phê duyệt" in page and "Phê duyệt và gửi lên cấp trên" not in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = officer.post(f"/ho-so/{sub.pk}/trinh/", {"version": sub.version}, follow=True)
    assert "Đã trình lãnh đạo đơn vị phê duyệt" in resp.content.decode()
    (note,) = _notes("ld.tt", "approval")
    assert "Nguyễn Văn Bình trình hồ sơ" in note.text and note.url == f"/ho-so/{sub.pk}/"
    assert any("Hồ sơ chờ phê duyệt" in smtp.subject(m) for m in smtp.to("ld.tt@danvan.local"))
    assert "Chờ bạn phê duyệt" in _todo(leader) and "Nguyễn Văn Bình trình lúc" in _todo(leader)
    assert "Chờ bạn phê duyệt" not in _todo(officer)  # the officer's own step is not the officer's work
    # A second hand-off is refused; nothing is sent twice.
    resp = officer.post(f"/ho-so/{sub.pk}/trinh/", {"version": sub.version + 1}, follow=True)
    assert "đang chờ phê duyệt" in resp.content.decode() and len(_notes("ld.tt", "approval")) == 1

    # The leader approves and sends: the Sở's office (the relay's issuer) is told, and it is off the leader's list.
    sub.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version})
    assert "Chờ bạn phê duyệt" not in _todo(leader)
    (note,) = _notes("vp.skhcn", "submitted")
    assert "Thanh tra Sở Khoa học và Công nghệ đã gửi hồ sơ đăng ký" in note.text
    assert any("Hồ sơ gửi đến" in smtp.subject(m) for m in smtp.to("vp.skhcn@danvan.local"))
    assert "Hồ sơ gửi đến, chờ xem xét" in _todo(office) and "Thanh tra Sở" in _todo(office)
    assert not _notes("ld.skhcn", "submitted")  # the Sở's leader reviews nothing: only office, Board, admin

    # The office accepts: the unit learns of it, and the item leaves the office's list.
    with django_capture_on_commit_callbacks(execute=True):
        office.post(f"/ho-so/{sub.pk}/tiep-nhan/")
    assert "Hồ sơ gửi đến, chờ xem xét" not in _todo(office)
    for person in ("tt.skhcn", "ld.tt"):
        (note,) = _notes(person, "accepted")
        assert "Sở Khoa học và Công nghệ đã tiếp nhận hồ sơ" in note.text
    page = officer.get(f"/ho-so/{sub.pk}/").content.decode()
    assert page.index("Hồ sơ đã được tiếp nhận") < page.index("<h1>") and "Lê Đức Tuấn" in page


def test_a_returned_dossier_shows_its_reason_first(year, login, smtp, django_capture_on_commit_callbacks):
    rnd, relay = year
    sub = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    from django.contrib.auth.models import User

    ex = _new_exemplar(sub.unit, User.objects.get(username="tt.skhcn"), "Tiếp công dân lưu động năm 2023")
    from danvan.movement import services

    services.attach_exemplars(submission=sub, exemplars=[ex], by=User.objects.get(username="tt.skhcn"))
    services.submit(submission=sub, by=User.objects.get(username="ld.tt"))
    office, officer = login("vp.skhcn"), login("tt.skhcn")
    with django_capture_on_commit_callbacks(execute=True):
        office.post(f"/ho-so/{sub.pk}/tra-lai/", {"comment": "Bổ sung dự kiến kết quả mô hình đem lại."})
    (note,) = _notes("tt.skhcn", "returned")
    assert "Bổ sung dự kiến kết quả" in note.text
    (mail,) = [m for m in smtp.to("tt.skhcn@danvan.local") if "bị trả lại" in smtp.subject(m)]
    assert "Bổ sung dự kiến kết quả" in smtp.body(mail)
    todo = _todo(officer)
    assert "Bị trả lại, cần bổ sung" in todo and "Lý do: Bổ sung dự kiến kết quả mô hình đem lại." in todo
    assert "Lê Đức Tuấn trả lại lúc" in todo
    # On the dossier, the reason comes before anything else, with who and when.
    page = officer.get(f"/ho-so/{sub.pk}/").content.decode()
    top = page[:page.index("<h1>")]
    assert "Hồ sơ bị trả lại để bổ sung" in top and "Bổ sung dự kiến kết quả mô hình đem lại." in top
    assert "Lê Đức Tuấn" in top and "Sở Khoa học và Công nghệ" in top
    # Sent again, the item is gone.
    sub.refresh_from_db()
    login("ld.tt").post(f"/ho-so/{sub.pk}/gui/", {"version": sub.version})
    assert "Bị trả lại" not in _todo(officer)


def test_the_consolidated_dossier_reaches_the_board(year, login, smtp, django_capture_on_commit_callbacks):
    rnd, relay = year
    from django.contrib.auth.models import User

    from danvan.movement import services

    tt = relay.submissions.get(unit__code="TT-SKHCN-QNG")
    officer = User.objects.get(username="tt.skhcn")
    services.attach_exemplars(submission=tt, exemplars=[_new_exemplar(tt.unit, officer, "Tiếp công dân 2023")],
                              by=officer)
    services.submit(submission=tt, by=User.objects.get(username="ld.tt"))
    services.accept(submission=tt, by=User.objects.get(username="vp.skhcn"))
    sk = rnd.submissions.get(unit__code="SKHCN-QNG")
    board = login("bdv.quangngai")
    assert "Hồ sơ gửi đến" not in _todo(board)
    with django_capture_on_commit_callbacks(execute=True):
        login("ld.skhcn").post(f"/ho-so/{sk.pk}/gui/", {"version": sk.version})
    sk.refresh_from_db()
    assert sk.status == Status.SUBMITTED
    (note,) = _notes("bdv.quangngai", "submitted")
    assert "Sở Khoa học và Công nghệ đã gửi hồ sơ tổng hợp" in note.text
    assert len(smtp.to("bdv.quangngai@danvan.local")) == 1
    assert "Hồ sơ gửi đến, chờ xem xét: Sở Khoa học và Công nghệ — “Đăng ký mô hình" in _todo(board)


def test_the_office_sees_its_late_units(login):
    # Demo 2022: the Chi cục has not answered the Sở's relay, past its deadline.
    todo = _todo(login("vp.skhcn"))
    assert "Đơn vị quá hạn chưa gửi" in todo and "Chi cục Tiêu chuẩn Đo lường Chất lượng" in todo
    assert "Đơn vị quá hạn" not in _todo(login("tt.skhcn"))  # an officer issues nothing
    # The Chi cục itself sees the overdue round it must answer.
    assert "đã quá hạn" in _todo(login("cc.tdc"))


def test_a_report_request_and_a_recognition_reach_the_unit(login, smtp, django_capture_on_commit_callbacks):
    from danvan.exemplars.models import Exemplar, Movement

    board = login("bdv.quangngai")
    with django_capture_on_commit_callbacks(execute=True):
        assert board.post("/bao-cao/yeu-cau/moi/", {
            "issuer": OrgUnit.objects.get(code="BDVTU-QNG").pk, "movement": Movement.objects.get(period_start=2021).pk,
            "year": 2023, "title": "Báo cáo kết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm 2023",
            "deadline": "20/10/2030", "quota_so-nganh": "1"}).status_code == 302
    sub = Submission.objects.get(round__kind="report", round__year=2023, unit__code="SNV-QNG")
    (note,) = _notes("vp.snv", "report_request")
    assert "yêu cầu báo cáo" in note.text and note.url == f"/ho-so/{sub.pk}/"
    assert any("Yêu cầu báo cáo" in smtp.subject(m) for m in smtp.to("vp.snv@danvan.local"))
    assert "Trả lời yêu cầu báo cáo" in _todo(login("vp.snv"))

    ex = Exemplar.objects.get(unit__code="TT-SKHCN-QNG", year=2021)
    login("ld.tt").post(f"/mo-hinh/{ex.pk}/danh-gia/", {"version": ex.version, "achieved": "1", "comment": "Đạt."})
    ex.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert board.post(f"/mo-hinh/{ex.pk}/cong-nhan/", {
            "version": ex.version, "by_unit": OrgUnit.objects.get(code="BDVTU-QNG").pk,
            "decision_number": "140-QĐ/BDVTU", "decision_date": "20/09/2022"}).status_code == 302
    for person in ("tt.skhcn", "ld.tt"):
        (note,) = _notes(person, "recognition")
        assert "được Ban Dân vận Tỉnh ủy Quảng Ngãi công nhận (Quyết định số 140-QĐ/BDVTU ngày 20/09/2022)" in note.text
        assert note.url == f"/mo-hinh/{ex.pk}/"
    ex.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert board.post(f"/mo-hinh/{ex.pk}/khen-thuong/", {
            "version": ex.version, "by_unit": OrgUnit.objects.get(code="BDVTU-QNG").pk, "form": "certificate",
            "decision_number": "141-QĐ/BDVTU", "decision_date": "21/09/2022"}).status_code == 302
    (note,) = _notes("tt.skhcn", "commendation")
    assert "được Ban Dân vận Tỉnh ủy Quảng Ngãi tặng Giấy khen" in note.text
    assert any("biểu dương, khen thưởng" in smtp.subject(m) for m in smtp.to("tt.skhcn@danvan.local"))
    # The home page lists the unread ones.
    assert "Thông báo mới" in login("tt.skhcn").get("/").content.decode()


def test_an_email_that_could_not_be_sent_is_shown_and_resent(login, units, smtp_down,
                                                              django_capture_on_commit_callbacks):
    board = login("bdv.quangngai")
    with django_capture_on_commit_callbacks(execute=True):
        _launch(board, issuer=units["BDVTU-QNG"].pk)
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")
    failed = Notification.objects.filter(kind="launch", email_status=MailStatus.FAILED)
    assert set(failed.values_list("user__username", flat=True)) == {"vp.skhcn", "ld.skhcn", "vp.snv"}
    assert all(n.email_error for n in failed)
    # The in-app notification arrived regardless.
    assert "Đơn vị cần đăng ký" in _todo(login("vp.snv"))
    # The launcher sees, on the round's page, who did not get the e-mail; others do not.
    page = board.get(f"/dot-dang-ky/{rnd.pk}/").content.decode()
    assert "Thư báo chưa gửi được" in page and "vp.snv@danvan.local" in page
    assert "Thư báo chưa gửi được" not in login("vp.skhcn").get(f"/dot-dang-ky/{rnd.pk}/").content.decode()
    # Resending while the server is still down keeps it "not sent", with the reason.
    n = failed.get(user__username="vp.snv")
    with django_capture_on_commit_callbacks(execute=True):
        resp = board.post(f"/thong-bao/{n.pk}/gui-lai/", {"next": f"/dot-dang-ky/{rnd.pk}/"}, follow=True)
    assert "Vẫn chưa gửi được thư cho Trương Thị Hạnh" in resp.content.decode()
    # With the server back, "Gửi lại thư" sends it once and the row leaves the list.
    inbox = smtp_down()
    with django_capture_on_commit_callbacks(execute=True):
        resp = board.post(f"/thong-bao/{n.pk}/gui-lai/", {"next": f"/dot-dang-ky/{rnd.pk}/"}, follow=True)
    assert "Đã gửi lại thư cho Trương Thị Hạnh" in resp.content.decode()
    assert len(inbox.to("vp.snv@danvan.local")) == 1
    n.refresh_from_db()
    assert n.email_status == MailStatus.SENT and n.emailed_at
    assert "vp.snv@danvan.local" not in resp.content.decode()
    # A sent e-mail is not resent; someone else's hand-off cannot be resent.
    resp = board.post(f"/thong-bao/{n.pk}/gui-lai/", follow=True)
    assert "không cần gửi lại" in resp.content.decode() and len(inbox.messages) == 1
    other = failed.get(user__username="vp.skhcn")
    assert login("tt.skhcn").post(f"/thong-bao/{other.pk}/gui-lai/").status_code == 404
