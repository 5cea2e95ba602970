"""Background work for rounds, run by the database-backed worker (`danvan db_worker`)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task

from .models import Reminder


@task()
def send_reminder_email(reminder_id: int) -> int:
    reminder = Reminder.objects.select_related("submission__round", "submission__unit").get(pk=reminder_id)
    recipients = [e.strip() for e in reminder.recipients.split(",") if e.strip()]
    if not recipients:
        return 0
    subject = f"[Dân vận khéo] Nhắc hoàn thành đăng ký: {reminder.submission.round.title}"
    from django.conf import settings

    body = f"{reminder.message}\n\nXem hồ sơ: {settings.SITE_URL}/ho-so/{reminder.submission_id}/"
    return send_mail(subject, body, None, recipients)
