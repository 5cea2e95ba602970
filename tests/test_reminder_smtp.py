"""Reminder e-mail goes through a real SMTP conversation (aiosmtpd on loopback)."""

import pytest

from danvan.movement import services
from danvan.movement.models import RegistrationRound, Status

pytestmark = pytest.mark.django_db


def test_manual_reminder_over_smtp(demo, smtp, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    late = r22.submissions.get(unit__code="CCTDC-QNG")
    assert late.status == Status.NOT_STARTED
    with django_capture_on_commit_callbacks(execute=True):
        services.remind(round=r22, submissions=[late], by=User.objects.get(username="vp.skhcn"))
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert "Nhắc hoàn thành đăng ký" in str(msg["Subject"]) or "=?utf-8?" in str(msg["Subject"])
    body = msg.get_payload(decode=True).decode("utf-8")
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in body and "08/04/2022" in body
    assert set(a.strip() for a in msg["To"].split(",")) == {"cc.tdc@danvan.local", "ld.cc@danvan.local"}


def test_a_reminder_that_could_not_be_sent_is_shown_and_resent(login, smtp_down, django_capture_on_commit_callbacks):
    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    late = r22.submissions.get(unit__code="CCTDC-QNG")
    office = login("vp.skhcn")
    with django_capture_on_commit_callbacks(execute=True):
        office.post(f"/dot-dang-ky/{r22.pk}/nhac/", {"submission": [late.pk]})
    reminder = late.reminders.get()
    assert reminder.email_status == "failed" and reminder.email_error
    page = office.get(f"/dot-dang-ky/{r22.pk}/?don_vi=SKHCN-QNG").content.decode()
    assert "Thư nhắc chưa gửi được" in page and "cc.tdc@danvan.local" in page
    # Only who may remind sees it and may resend it.
    assert "Thư nhắc chưa gửi được" not in login("cc.tdc").get(f"/dot-dang-ky/{r22.pk}/").content.decode()
    assert login("cc.tdc").post(f"/nhac-nho/{reminder.pk}/gui-lai/").status_code == 404
    inbox = smtp_down()
    resp = office.post(f"/nhac-nho/{reminder.pk}/gui-lai/", follow=True)
    assert "Đã gửi lại thư nhắc Chi cục Tiêu chuẩn Đo lường Chất lượng" in resp.content.decode()
    assert "Thư nhắc chưa gửi được" not in resp.content.decode()
    assert len(inbox.messages) == 1
    reminder.refresh_from_db()
    assert reminder.email_status == "sent" and reminder.emailed_at
    assert "không cần gửi lại" in office.post(f"/nhac-nho/{reminder.pk}/gui-lai/", follow=True).content.decode()
