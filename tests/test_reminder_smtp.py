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
