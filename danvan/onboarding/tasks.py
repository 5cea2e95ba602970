"""Invitation e-mails, sent by the task worker (immediately in tests), and the retries of reset mails; one the mail
server refused is tried again later (`foundation/mailretry.py`), the unit page saying when."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.tasks import task

from danvan.foundation.mailretry import retry


def _send_each(this_task, attempt: int, users, send: Callable[[User], object]) -> int:
    """Send each user's mail; the ones the server refused are queued again by `this_task` after the attempt's delay,
    their rows saying when. How many went."""
    from .models import AccountState

    sent, failed = 0, []
    for user in users.iterator():
        if send(user):
            sent += 1
        else:
            failed.append(user.pk)
    if failed:
        AccountState.objects.filter(user_id__in=failed).update(mail_retry_at=retry(this_task, attempt, failed))
    return sent


@task()
def send_invites(user_ids: list[int], attempt: int = 0) -> int:
    from .accounts import send_invite
    from .models import MailState

    waiting = get_user_model().objects.filter(pk__in=user_ids, is_active=False).exclude(
        account_state__deactivated_at__isnull=False)
    if attempt:  # a retry: only what is still failed (a "Gửi lại" since then has its own task)
        waiting = waiting.filter(account_state__mail_state=MailState.FAILED)
    return _send_each(send_invites, attempt, waiting, send_invite)


@task()
def send_resets(user_ids: list[int], attempt: int = 0) -> int:
    """Reset mails that failed, sent again with a fresh link — only while still failed (a new request since then
    sent its own) and never to a deactivated account."""
    from . import accounts
    from .models import MailState

    waiting = get_user_model().objects.filter(
        pk__in=user_ids, account_state__mail_kind=accounts.RESET, account_state__mail_state=MailState.FAILED,
    ).exclude(account_state__deactivated_at__isnull=False)
    return _send_each(send_resets, attempt, waiting,
                      lambda user: accounts.send_link(user, accounts.RESET, *accounts.reset_mail(user)))
