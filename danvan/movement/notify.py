"""Work arrives: every hand-off notifies the people who must act, in the app and by e-mail.

`notify` is the one place a hand-off is announced (workflow steps in `services.py`, recognitions and
commendations in `exemplars.lifecycle`). Each person gets a `Notification`; the e-mail goes at once
(`tasks.send_notification_emails`) or waits for the person's daily digest (`send_digests`, run by
`danvan digest`), as they chose on their profile page. What was sent, when, and what failed is kept on
the rows, so the page where the hand-off was made shows an e-mail that could not be sent, with "Gửi lại".
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from danvan.foundation import sharedcache
from danvan.orgs import permissions
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.permissions import Actor

from .models import Digest, MailMode, MailPreference, MailStatus, Notification

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("danvan_notify_muted", default=False)
BATCH = 200  # notifications per e-mail task


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Replaying past steps (the demo's 2021 and 2022) announces nothing to anyone."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def members(units: Iterable[OrgUnit | int], roles: Iterable[str] | None = None) -> QuerySet:
    """The people of these units (optionally only some roles), each once."""
    ids = [u if isinstance(u, int) else u.pk for u in units]
    q = Membership.objects.filter(unit_id__in=ids, user__is_active=True)
    if roles is not None:
        q = q.filter(role__in=list(roles))
    return get_user_model().objects.filter(pk__in=q.values("user_id"))


def mail_mode(user: Actor) -> str:
    pref = MailPreference.objects.filter(user=permissions.author(user)).first()
    return pref.mode if pref else MailMode.IMMEDIATE


def set_mail_mode(*, user: Actor, mode: str) -> MailPreference:
    if mode not in MailMode.values:
        raise ValidationError("Hãy chọn cách nhận thư: gửi ngay hoặc một thư tổng hợp mỗi ngày.")
    pref, _ = MailPreference.objects.update_or_create(user=permissions.author(user), defaults={"mode": mode})
    return pref


def notify(*, kind: str, users, text: str, url: str = "", by: Actor | None = None, submission=None, exemplar=None,
           email: bool = True) -> list[Notification]:
    """Tell `users` (a queryset or a list) that work has arrived; the actor is never told of their own step."""
    people = users.only("pk", "email") if isinstance(users, QuerySet) else users
    return deliver(kind=kind, by=by, email=email, rows=[(u, text, url, submission, exemplar) for u in people])


def deliver(*, kind: str, rows: list[tuple], by: Actor | None = None, email: bool = True) -> list[Notification]:
    """The one writer of notifications: rows of (user, text, url, submission, exemplar), one per person and topic.

    `email=False` when the step sends its own e-mail (a reminder goes to the whole unit in one message)."""
    if _muted.get() or not rows:
        return []
    seen: set[tuple] = set()
    digest_ids = set(MailPreference.objects.filter(user__in={r[0].pk for r in rows}, mode=MailMode.DIGEST)
                     .values_list("user_id", flat=True))
    made = []
    for user, text, url, sub, ex in rows:
        key = (user.pk, getattr(sub, "pk", None), getattr(ex, "pk", None))
        if (by is not None and user.pk == by.pk) or key in seen:
            continue
        seen.add(key)
        status = MailStatus.NONE
        if email and user.email:
            status = MailStatus.DIGEST if user.pk in digest_ids else MailStatus.PENDING
        made.append(Notification(user_id=user.pk, kind=kind, text=text, url=url, actor=permissions.author(by) if by is not None else None,
                                 submission=sub,
                                 exemplar=ex, email_status=status))
    created = Notification.objects.bulk_create(made, batch_size=1000)
    sharedcache.forget_user("unread", list({n.user_id for n in created}))
    _enqueue([n.pk for n in created if n.email_status == MailStatus.PENDING])
    return created


def _enqueue(ids: list[int]) -> None:
    if not ids:
        return
    from .tasks import send_notification_emails

    for i in range(0, len(ids), BATCH):
        transaction.on_commit(functools.partial(send_notification_emails.enqueue, ids[i:i + BATCH]))


# ---- e-mails that failed, and resending them ------------------------------------------------------

def failed_for(by: Actor, **where) -> list[Notification]:
    """The e-mails of the user's own hand-offs (filtered by `where`) that could not be sent."""
    if not getattr(by, "is_authenticated", False):
        return []
    qs = Notification.objects.filter(email_status=MailStatus.FAILED, **where)
    if not by.is_superuser:
        qs = qs.filter(actor=permissions.author(by))
    return list(qs.select_related("user").order_by("user__last_name", "pk")[:100])


def can_resend(user: Actor, n: Notification) -> bool:
    return bool(user.is_superuser or n.actor_id == user.pk or n.user_id == user.pk)


def resend(*, notification: Notification, by: Actor) -> Notification:
    """Send again, now, an e-mail that could not be sent (the hand-off's author, or its recipient, asks).

    Sent in the request, not queued: the person who asked learns at once whether it went this time."""
    from .tasks import MailNotSent, send_notification_emails

    if not can_resend(by, notification):
        raise PermissionDenied("Bạn không gửi lại được thư này.")
    if notification.email_status != MailStatus.FAILED:
        raise ValidationError("Thư này không ở trạng thái chưa gửi được; không cần gửi lại.")
    with contextlib.suppress(MailNotSent):  # the failure is on the row
        send_notification_emails.call([notification.pk])
    notification.refresh_from_db()
    return notification


def failed_reminders(by: Actor, rnd) -> list:
    """The round's reminder e-mails that could not be sent, for whoever may remind its targets."""
    from .models import Reminder

    if not getattr(by, "is_authenticated", False) or not permissions.can_issue(by, rnd.issuer):
        return []
    return list(Reminder.objects.filter(submission__round=rnd, email_status=MailStatus.FAILED)
                .select_related("submission__unit")[:100])


def resend_reminder(*, reminder, by: Actor):
    """Send the reminder's e-mail again, now (whoever may remind the round's targets asks)."""
    from .tasks import MailNotSent, send_reminder_email

    if not permissions.can_issue(by, reminder.submission.round.issuer):
        raise PermissionDenied("Bạn không gửi lại được thư nhắc này.")
    if reminder.email_status != MailStatus.FAILED:
        raise ValidationError("Thư nhắc này không ở trạng thái chưa gửi được; không cần gửi lại.")
    with contextlib.suppress(MailNotSent):
        send_reminder_email.call(reminder.pk)
    reminder.refresh_from_db()
    return reminder


# ---- the daily digest ---------------------------------------------------------------------------

def send_digests(now: datetime.datetime | None = None) -> list[Digest]:
    """The scheduler's job (`danvan digest`, once a day): one e-mail per person with what waited for the digest.

    One `Digest` per (user, day): a second run the same day sends nothing again, except a digest that failed,
    which it retries.
    """
    today = timezone.localdate(now or timezone.now())
    waiting = (Notification.objects.filter(email_status=MailStatus.DIGEST, digest__isnull=True)
               .values_list("user_id", flat=True).distinct())
    made: list[Digest] = []
    for user_id in sorted(set(waiting)):
        try:
            with transaction.atomic():
                user = get_user_model().objects.get(pk=user_id)
                digest = Digest.objects.create(user=user, day=today, email=user.email)
                n = Notification.objects.filter(user_id=user_id, email_status=MailStatus.DIGEST,
                                                digest__isnull=True).update(digest=digest)
                Digest.objects.filter(pk=digest.pk).update(count=n)
        except IntegrityError:
            continue  # today's digest exists: what arrived since waits for tomorrow's
        made.append(digest)
    retry = list(Digest.objects.filter(day=today, status=MailStatus.FAILED))
    from .tasks import send_digest_email

    for digest in made + retry:
        send_digest_email.enqueue(digest.pk)
    return [Digest.objects.get(pk=d.pk) for d in made + retry]


def resend_digest(*, digest: Digest, by: Actor) -> Digest:
    if not (by.is_superuser or digest.user_id == by.pk):
        raise PermissionDenied("Bạn không gửi lại được thư này.")
    if digest.status != MailStatus.FAILED:
        raise ValidationError("Thư tổng hợp này không ở trạng thái chưa gửi được; không cần gửi lại.")
    from .tasks import MailNotSent, send_digest_email

    with contextlib.suppress(MailNotSent):
        send_digest_email.call(digest.pk)
    digest.refresh_from_db()
    return digest
