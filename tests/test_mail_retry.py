"""A mail the server refused is tried again by the task worker, later and later, and shown as failed where it was
asked for until then (issue 23 §2): the real queue (django-tasks-db) and the real worker (`db_worker --batch`)."""

from __future__ import annotations

import re
import signal

import pytest
from django.core.management import call_command
from django.utils import timezone

TT_PAGE = "/quan-tri-don-vi/don-vi/TT-SKHCN-QNG/"


@pytest.fixture
def queue(settings, transactional_db):
    """Tasks wait in the database until `run_worker()` runs what is due, as `danvan db_worker` does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MAIL_RETRY_MINUTES = [1, 5]

    def run_worker() -> None:
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)

    return run_worker


def _due_now() -> int:
    """Time passes: every task waiting for later becomes due."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY", run_after__isnull=False).update(run_after=timezone.now())


def _waiting_retries() -> list[dict]:
    from django_tasks_db.models import DBTaskResult

    return [r.args_kwargs for r in DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now())]


def _text(resp) -> str:
    return re.sub(r"\s+", " ", resp.content.decode())


def test_a_failed_invitation_is_retried_by_the_worker_and_shown_failed_until_then(queue, login, smtp_down):
    leader = login("ld.tt")
    leader.post(TT_PAGE, {"action": "person", "p-username": "moi.cb", "p-full_name": "Lê Thị Mới",
                          "p-email": "moi.cb@quangngai.gov.vn", "p-role": "officer", "p-title": ""})
    assert "Thư kích hoạt đang chờ gửi" in _text(leader.get(TT_PAGE))
    queue()  # the mail server does not answer
    page = _text(leader.get(TT_PAGE))
    assert "Thư kích hoạt chưa gửi được" in page and "hệ thống tự gửi lại lúc" in page, page
    assert "Gửi lại thư kích hoạt" in page
    assert [r["kwargs"] for r in _waiting_retries()] == [{"attempt": 1}]
    queue()  # not due yet: nothing is tried
    assert "chưa gửi được" in _text(leader.get(TT_PAGE))
    # Still down when it is due: tried again, and the next try later still.
    assert _due_now() == 1
    queue()
    page = _text(leader.get(TT_PAGE))
    assert "chưa gửi được" in page and "hệ thống tự gửi lại lúc" in page
    assert [r["kwargs"] for r in _waiting_retries()] == [{"attempt": 2}]
    # The server is back when the next try comes: the invitation goes, the page says so.
    inbox = smtp_down()
    _due_now()
    queue()
    page = _text(leader.get(TT_PAGE))
    assert "chưa gửi được" not in page and "Thư kích hoạt đã gửi" in page, page
    assert len(inbox.to("moi.cb@quangngai.gov.vn")) == 1
    assert "/mat-khau/dat/" in inbox.body(inbox.messages[0])
    assert _waiting_retries() == []


def test_retries_end_after_the_last_delay_and_the_page_keeps_the_failure(queue, login, smtp_down):
    leader = login("ld.tt")
    leader.post(TT_PAGE, {"action": "person", "p-username": "moi.cb", "p-full_name": "Lê Thị Mới",
                          "p-email": "moi.cb@quangngai.gov.vn", "p-role": "officer", "p-title": ""})
    for _ in range(3):  # the first try and the two retries of MAIL_RETRY_MINUTES
        _due_now()
        queue()
    assert _waiting_retries() == []
    page = _text(leader.get(TT_PAGE))
    assert "Thư kích hoạt chưa gửi được" in page and "tự gửi lại" not in page
    assert "Gửi lại thư kích hoạt" in page


def test_a_failed_reminder_is_retried_and_listed_as_failed_until_sent(queue, login, smtp_down):
    from danvan.movement.models import RegistrationRound

    r22 = RegistrationRound.objects.get(year=2022, issuer__code="SKHCN-QNG")
    late = r22.submissions.get(unit__code="CCTDC-QNG")
    office = login("vp.skhcn")
    office.post(f"/dot-dang-ky/{r22.pk}/nhac/", {"submission": [late.pk]})
    queue()
    page = _text(office.get(f"/dot-dang-ky/{r22.pk}/?don_vi=SKHCN-QNG"))
    assert "Thư nhắc chưa gửi được" in page and "hệ thống tự gửi lại lúc" in page, page
    inbox = smtp_down()
    _due_now()
    queue()
    reminder = late.reminders.get()
    assert reminder.email_status == "sent" and reminder.email_retry_at is None
    assert "Thư nhắc chưa gửi được" not in _text(office.get(f"/dot-dang-ky/{r22.pk}/?don_vi=SKHCN-QNG"))
    assert len(inbox.messages) == 1


def test_failed_hand_off_emails_are_retried_together_and_leave_the_list_once_sent(queue, login, units, smtp_down):
    from danvan.movement.models import MailStatus, Notification, RegistrationRound
    from tests.test_rounds import _launch

    board = login("bdv.quangngai")
    _launch(board, issuer=units["BDVTU-QNG"].pk)
    queue()
    rnd = RegistrationRound.objects.get(year=2023, issuer__code="BDVTU-QNG")
    failed = Notification.objects.filter(kind="launch", email_status=MailStatus.FAILED)
    assert failed.count() == 3
    assert "Thư báo chưa gửi được" in _text(board.get(f"/dot-dang-ky/{rnd.pk}/"))
    assert [r["kwargs"] for r in _waiting_retries()] == [{"attempt": 1}]
    inbox = smtp_down()
    _due_now()
    queue()
    assert not failed.exists()
    assert {m["To"] for m in inbox.messages} == {"vp.skhcn@danvan.local", "ld.skhcn@danvan.local",
                                                 "vp.snv@danvan.local"}
    assert "Thư báo chưa gửi được" not in _text(board.get(f"/dot-dang-ky/{rnd.pk}/"))


def test_a_failed_reset_mail_is_retried_with_a_working_link(queue, login, smtp_down):
    """The "forgot password" page while the mail server is down: the unit page says the reset mail failed and
    when it is tried again; once the server is back the worker sends it, and its link sets the password."""
    from django.test import Client

    resp = Client().post("/mat-khau/quen/", {"email": "tt.skhcn@danvan.local"})
    assert resp.status_code == 302
    leader = login("ld.tt")
    page = _text(leader.get(TT_PAGE))
    assert "Thư đặt lại mật khẩu chưa gửi được" in page and "hệ thống tự gửi lại lúc" in page, page
    assert [r["kwargs"] for r in _waiting_retries()] == [{"attempt": 1}]
    inbox = smtp_down()
    _due_now()
    queue()
    assert _waiting_retries() == []
    assert "Thư đặt lại mật khẩu chưa gửi được" not in _text(leader.get(TT_PAGE))
    mails = inbox.to("tt.skhcn@danvan.local")
    assert len(mails) == 1
    link = re.search(r"https?://[^/\s]+(/mat-khau/dat/\S+/)", inbox.body(mails[0])).group(1)
    form = Client().get(link, follow=True)
    assert form.status_code == 200 and "mật khẩu" in form.content.decode().lower()
