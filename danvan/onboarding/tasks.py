"""Invitation e-mails, sent by the task worker (immediately in tests), and the retries of reset mails; one the mail
server refused is tried again later (`core/mailretry.py`), the unit page saying when."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.tasks import task

from danvan.core.mailretry import retry


@task()
def send_invites(user_ids: list[int], attempt: int = 0) -> int:
    from .models import AccountState, MailState
    from .services import send_invite

    sent, failed = 0, []
    waiting = get_user_model().objects.filter(pk__in=user_ids, is_active=False).exclude(
        account_state__deactivated_at__isnull=False)
    if attempt:  # a retry: only what is still failed (a "Gửi lại" since then has its own task)
        waiting = waiting.filter(account_state__mail_state=MailState.FAILED)
    for user in waiting.iterator():
        if send_invite(user):
            sent += 1
        else:
            failed.append(user.pk)
    if failed:
        AccountState.objects.filter(user_id__in=failed).update(mail_retry_at=retry(send_invites, attempt, failed))
    return sent


@task()
def send_resets(user_ids: list[int], attempt: int = 0) -> int:
    """Reset mails that failed, sent again with a fresh link — only while still failed (a new request since then
    sent its own) and never to a deactivated account."""
    from . import accounts
    from .models import AccountState, MailState

    sent, failed = 0, []
    waiting = get_user_model().objects.filter(
        pk__in=user_ids, account_state__mail_kind=accounts.RESET, account_state__mail_state=MailState.FAILED,
    ).exclude(account_state__deactivated_at__isnull=False)
    for user in waiting.iterator():
        if accounts.send_link(user, accounts.RESET, *accounts.reset_mail(user)):
            sent += 1
        else:
            failed.append(user.pk)
    if failed:
        AccountState.objects.filter(user_id__in=failed).update(mail_retry_at=retry(send_resets, attempt, failed))
    return sent
