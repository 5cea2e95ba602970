"""Issue 16: a person chooses e-mails at once or one digest a day; `danvan digest` sends each digest once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from danvan.movement.models import Digest, MailStatus, Notification
from tests.test_rounds import _launch

pytestmark = pytest.mark.django_db


def _digest_run(**kw) -> str:
    out = io.StringIO()
    call_command("digest", stdout=out, **kw)
    return out.getvalue()


def test_digest_is_chosen_on_the_profile_and_sent_once(login, units, smtp, django_capture_on_commit_callbacks):
    snv = login("vp.snv")
    page = snv.get("/tai-khoan/").content.decode()
    assert "Nhận thông báo qua e-mail" in page and "vp.snv@danvan.local" in page
    resp = snv.post("/tai-khoan/nhan-thu/", {"mode": "digest"}, follow=True)
    assert "Đã lưu cách nhận thư: một thư tổng hợp mỗi ngày." in resp.content.decode()
    assert 'value="digest" checked' in resp.content.decode()
    assert "Hãy chọn cách nhận thư" in snv.post("/tai-khoan/nhan-thu/", {"mode": "weekly"},
                                                 follow=True).content.decode()

    board = login("bdv.quangngai")
    with django_capture_on_commit_callbacks(execute=True):
        _launch(board, issuer=units["BDVTU-QNG"].pk)
    # The Sở KH&CN's people get theirs at once; the Sở Nội vụ's office waits for its digest.
    assert smtp.to("vp.skhcn@danvan.local") and not smtp.to("vp.snv@danvan.local")
    note = Notification.objects.get(user__username="vp.snv", kind="launch")
    assert note.email_status == MailStatus.DIGEST

    assert "Đã xử lý 1 thư tổng hợp (1 đã gửi" in _digest_run()
    (mail,) = smtp.to("vp.snv@danvan.local")
    body = smtp.body(mail)
    assert "Tổng hợp thông báo ngày" in smtp.subject(mail) and "Ban Dân vận Tỉnh ủy Quảng Ngãi phát động đợt" in body
    assert f"/ho-so/{note.submission_id}/" in body
    # Run twice, sent once.
    assert "Đã xử lý 0 thư tổng hợp" in _digest_run()
    assert len(smtp.to("vp.snv@danvan.local")) == 1
    digest = Digest.objects.get(user__username="vp.snv")
    assert digest.status == MailStatus.SENT and digest.count == 1 and digest.sent_at
    note.refresh_from_db()
    assert note.email_status == MailStatus.SENT and note.digest == digest
    # What arrives after today's digest waits for tomorrow's.
    with django_capture_on_commit_callbacks(execute=True):
        _launch(board, issuer=units["BDVTU-QNG"].pk, title="Đăng ký bổ sung mô hình năm 2023")
    assert "Đã xử lý 0 thư tổng hợp" in _digest_run()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    from danvan.movement.notify import send_digests

    (second,) = send_digests(tomorrow)
    assert second.status == MailStatus.SENT and second.count == 1
    assert "Đăng ký bổ sung mô hình năm 2023" in smtp.body(smtp.to("vp.snv@danvan.local")[-1])
    # The profile page records what was sent.
    page = snv.get("/tai-khoan/").content.decode()
    assert "Thư tổng hợp hằng ngày đã gửi" in page and "Đã gửi lúc" in page


def test_a_digest_that_failed_is_reported_and_resent_once(login, units, smtp_down,
                                                         django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    from danvan.movement.notify import set_mail_mode

    set_mail_mode(user=User.objects.get(username="vp.snv"), mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        _launch(login("bdv.quangngai"), issuer=units["BDVTU-QNG"].pk)
    out = _digest_run()
    assert "0 đã gửi, 1 chưa gửi được" in out and "Chưa gửi được thư cho vp.snv <vp.snv@danvan.local>" in out
    snv = login("vp.snv")
    page = snv.get("/tai-khoan/").content.decode()
    assert "Chưa gửi được:" in page and "Gửi lại thư tổng hợp" in page
    digest = Digest.objects.get(user__username="vp.snv")
    # Another person cannot resend it.
    assert login("vp.skhcn").post(f"/thong-bao/tong-hop/{digest.pk}/gui-lai/").status_code == 404
    inbox = smtp_down()
    # The next scheduler run retries the failed one — and only once.
    assert "1 đã gửi, 0 chưa gửi được" in _digest_run()
    assert "Đã xử lý 0 thư tổng hợp" in _digest_run()
    assert len(inbox.to("vp.snv@danvan.local")) == 1
    digest.refresh_from_db()
    assert digest.status == MailStatus.SENT
    resp = snv.post(f"/thong-bao/tong-hop/{digest.pk}/gui-lai/", follow=True)
    assert "không cần gửi lại" in resp.content.decode() and len(inbox.messages) == 1


def test_resend_a_failed_digest_from_the_profile(login, units, smtp_down, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    from danvan.movement.notify import set_mail_mode

    set_mail_mode(user=User.objects.get(username="vp.snv"), mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        _launch(login("bdv.quangngai"), issuer=units["BDVTU-QNG"].pk)
    _digest_run()
    digest = Digest.objects.get(user__username="vp.snv")
    inbox = smtp_down()
    resp = login("vp.snv").post(f"/thong-bao/tong-hop/{digest.pk}/gui-lai/", follow=True)
    assert "Đã gửi lại thư tổng hợp ngày" in resp.content.decode()
    assert len(inbox.to("vp.snv@danvan.local")) == 1
