"""Invitation e-mails, sent by the task worker (immediately in tests)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.tasks import task


@task()
def send_invites(user_ids: list[int]) -> int:
    from .services import send_invite

    sent = 0
    waiting = get_user_model().objects.filter(pk__in=user_ids, is_active=False).exclude(
        account_state__deactivated_at__isnull=False)
    for user in waiting.iterator():
        sent += send_invite(user)
    return sent
