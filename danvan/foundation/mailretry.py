"""E-mails the mail server refused are sent again by the task worker, later and later (issue 23 §2).

A mail task that could not send queues itself again with `attempt + 1`, `run_after` the next delay of
DANVAN_MAIL_RETRY_MINUTES (1, 5, 30, 120 minutes by default); after the last one it stays failed, shown where it
was asked for with its "Gửi lại" button (a "Gửi lại" that fails starts its own retries). Each retry sends only
what is still failed, so a mail sent in between is not sent twice. A backend that cannot defer (the tests'
immediate one) retries nothing: the failure is recorded and shown.
"""

from __future__ import annotations

import datetime
import smtplib

from django.conf import settings
from django.utils import timezone

# What a mail server or the network can answer instead of accepting a message.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def retry(task, attempt: int, *args) -> datetime.datetime | None:
    """Queue `task(*args, attempt=attempt + 1)` after the attempt's delay; when it will run, or None when no
    attempt is left or the backend cannot defer."""
    delays = settings.MAIL_RETRY_MINUTES
    if attempt >= len(delays) or not task.get_backend().supports_defer:
        return None
    when = timezone.now() + datetime.timedelta(minutes=delays[attempt])
    task.using(run_after=when).enqueue(*args, attempt=attempt + 1)
    return when


def label(when: datetime.datetime | None) -> str:
    """The end of a "chưa gửi được" line: when the worker tries again."""
    if when is None:
        return ""
    return f"; hệ thống tự gửi lại lúc {timezone.localtime(when):%H:%M %d/%m/%Y}"
