"""Background work for rounds, run by the database-backed worker (`danvan db_worker`)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from danvan.foundation.mailretry import MAIL_ERRORS, retry

from .models import Digest, MailStatus, Notification, Reminder

SUBJECT = "[Dân vận khéo]"


class MailNotSent(Exception):
    """Raised after the failures are recorded, so the worker marks the task failed (and may retry it)."""


@task()
def send_reminder_email(reminder_id: int, attempt: int = 0) -> int:
    """One e-mail to the unit's people; sent or not (with the server's error) is kept on the Reminder. A failure
    is tried again later by the worker (`mailretry.retry`)."""
    reminder = Reminder.objects.select_related("submission__round", "submission__unit").get(pk=reminder_id)
    recipients = [e.strip() for e in reminder.recipients.split(",") if e.strip()]
    if not recipients or reminder.email_status == MailStatus.SENT:
        return 0
    if attempt and reminder.email_status != MailStatus.FAILED:
        return 0
    subject = f"{SUBJECT} Nhắc hoàn thành đăng ký: {reminder.submission.round.title}"
    body = f"{reminder.message}\n\nXem hồ sơ: {settings.SITE_URL}/ho-so/{reminder.submission_id}/"
    try:
        sent = send_mail(subject, body, None, recipients)
    except MAIL_ERRORS as exc:
        Reminder.objects.filter(pk=reminder.pk).update(email_status=MailStatus.FAILED,
                                                       email_error=str(exc)[:500] or type(exc).__name__,
                                                       email_retry_at=retry(send_reminder_email, attempt, reminder.pk))
        raise MailNotSent(f"Chưa gửi được thư nhắc {reminder.pk}") from exc
    Reminder.objects.filter(pk=reminder.pk).update(email_status=MailStatus.SENT, emailed_at=timezone.now(),
                                                   email_error="", email_retry_at=None)
    return sent


def _footer() -> str:
    return (f"\n\n—\nThư tự động của hệ thống quản lý mô hình, điển hình \"Dân vận khéo\". "
            f"Chọn nhận thư ngay hoặc một thư tổng hợp mỗi ngày tại {settings.SITE_URL}/tai-khoan/")


def _link(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


@task()
def send_notification_emails(notification_ids: list[int], attempt: int = 0) -> int:
    """One e-mail per notification waiting to be sent (or that failed); each one's outcome is kept on its row;
    the failed ones are tried again later by the worker (`mailretry.retry`)."""
    todo = Notification.objects.filter(
        Q(email_status=MailStatus.PENDING) | Q(email_status=MailStatus.FAILED), pk__in=notification_ids,
    ).select_related("user")
    sent, failed = 0, []
    for n in todo:
        body = n.text + (f"\n\nXem và xử lý: {_link(n.url)}" if n.url else "") + _footer()
        try:
            send_mail(f"{SUBJECT} {n.get_kind_display()}: {n.text[:120]}", body, None, [n.user.email])
        except MAIL_ERRORS as exc:
            failed.append(n.pk)
            Notification.objects.filter(pk=n.pk).update(email_status=MailStatus.FAILED,
                                                         email_error=str(exc)[:500] or type(exc).__name__)
        else:
            sent += 1
            Notification.objects.filter(pk=n.pk).update(email_status=MailStatus.SENT, emailed_at=timezone.now(),
                                                         email_error="")
    if failed:
        retry(send_notification_emails, attempt, failed)
        raise MailNotSent(f"Chưa gửi được {len(failed)} thư thông báo: {failed}")
    return sent


@task()
def send_digest_email(digest_id: int, attempt: int = 0) -> int:
    """The day's digest: every notification it gathered, newest last, each with its link."""
    digest = Digest.objects.select_related("user").get(pk=digest_id)
    if digest.status == MailStatus.SENT:
        return 0
    items = list(digest.items.order_by("created_at", "pk"))
    lines = [f"Tổng hợp thông báo ngày {digest.day:%d/%m/%Y} ({len(items)} thông báo):", ""]
    for i, n in enumerate(items, 1):
        lines.append(f"{i}. {timezone.localtime(n.created_at):%H:%M %d/%m/%Y} — {n.text}")
        if n.url:
            lines.append(f"   Xem và xử lý: {_link(n.url)}")
    lines.append(f"\nViệc cần làm của bạn: {settings.SITE_URL}/")
    try:
        if not digest.email:
            raise smtplib.SMTPRecipientsRefused({"": (550, b"no address")})
        send_mail(f"{SUBJECT} Tổng hợp thông báo ngày {digest.day:%d/%m/%Y}", "\n".join(lines) + _footer(), None,
                  [digest.email])
    except MAIL_ERRORS as exc:
        error = "Tài khoản chưa có địa chỉ e-mail." if not digest.email else (str(exc)[:500] or type(exc).__name__)
        Digest.objects.filter(pk=digest.pk).update(status=MailStatus.FAILED, error=error)
        if digest.email:
            retry(send_digest_email, attempt, digest.pk)
        raise MailNotSent(f"Chưa gửi được thư tổng hợp {digest.pk}: {error}") from exc
    now = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(status=MailStatus.SENT, sent_at=now, error="", count=len(items))
    digest.items.update(email_status=MailStatus.SENT, emailed_at=now, email_error="")
    return 1
