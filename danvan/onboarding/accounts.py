"""An account's life after it is created (issue 21 §3): deactivation that nothing revives, links that die with
it, e-mails whose fate is recorded, and the "forgot password" page throttled.

- Every e-mailed link (invitation, password reset) is made by `links`: its hash carries `is_active` and the
  account's `AccountState.generation`, which each deactivation moves — a link made before a deactivation never
  works again, even after the account is reactivated.
- A deactivation from any door (the unit page, the Django admin's check box) is noticed on the user row's save
  (`watch_user_rows`): the generation moves, every API token is revoked, the account is marked deactivated.
  Setting a password through a link activates only an account that is not deactivated; the reset page sends
  nothing to a deactivated account.
- `send_link` sends an invitation or a reset and records whether the mail server took it; the unit page shows
  "chưa gửi được" with a button to send again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from danvan.orgs import permissions
from danvan.orgs.models import Membership
from danvan.orgs.permissions import Actor

from .models import AccountState, MailState, PasswordResetRequest

INVITE, RESET = "invite", "reset"


def state(user: User) -> AccountState:
    return AccountState.objects.get_or_create(user_id=user.pk)[0]


def is_deactivated(user: User) -> bool:
    return AccountState.objects.filter(user_id=user.pk, deactivated_at__isnull=False).exists()


class AccountTokenGenerator(PasswordResetTokenGenerator):
    """Django's one-time link (password hash, last login, time) plus `is_active` and the link generation."""

    def _make_hash_value(self, user: User, timestamp):
        generation = AccountState.objects.filter(user_id=user.pk).values_list("generation", flat=True).first() or 0
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{generation}"


links = AccountTokenGenerator()


def link_for(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{settings.SITE_URL}/mat-khau/dat/{uid}/{links.make_token(user)}/"


# ---------------------------------------------------------------- deactivation

# Sent inside the deactivation's transaction; the doors above (the API's tokens) listen, so this floor does
# not import them.
deactivated = Signal()


def _mark_deactivated(user: User, by: Actor | None) -> None:
    s = state(user)
    s.generation += 1
    s.deactivated_at = s.deactivated_at or timezone.now()
    s.deactivated_by = by if by is not None and by.pk else s.deactivated_by
    s.save()
    deactivated.send(sender=User, user=user, by=by)  # the API revokes the account's tokens (api/apps.py)


def watch_user_rows(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: is_active turned off (any door) deactivates; turned on clears the mark."""
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return
    was = type(instance)._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    if was and not instance.is_active:
        _mark_deactivated(instance, getattr(instance, "_deactivated_by", None))
    elif was is False and instance.is_active:
        AccountState.objects.filter(user_id=instance.pk).update(deactivated_at=None, deactivated_by=None)


def _check(by: Actor, user: User) -> None:
    if not permissions.can_deactivate(by, user):
        # The person is on the page the viewer administers: a refusal, not a 404.
        raise ValidationError("Bạn chỉ khóa, mở khóa được tài khoản của người khác mà mọi vai trò đều trong phạm vi "
                              "bạn quản trị.")


def deactivate(*, by: Actor, user: User) -> None:
    """The account stops: no login, no session, no token, no link — made before or after — until reactivated."""
    _check(by, user)
    if is_deactivated(user):
        raise ValidationError(f"Tài khoản «{user.username}» đã bị khóa.")
    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            setattr(user, "_deactivated_by", by)  # noqa: B010  a mark for watch_user_rows (pre_save), not a field
            user.save(update_fields=["is_active"])
        else:  # invited, never activated: the pending invitation dies too
            _mark_deactivated(user, by)


def reactivate(*, by: Actor, user: User) -> bool:
    """Open the account again. True when it signs in at once; False when it never had a password — then a fresh
    invitation is sent (the old links stay dead)."""
    _check(by, user)
    if not is_deactivated(user):
        raise ValidationError(f"Tài khoản «{user.username}» không bị khóa.")
    with transaction.atomic():
        AccountState.objects.filter(user_id=user.pk).update(deactivated_at=None, deactivated_by=None)
        if user.has_usable_password():
            user.is_active = True
            user.save(update_fields=["is_active"])
            return True
    queue_invites([user.pk])
    return False


def resend(*, by: Actor, user: User) -> None:
    """The invitation again, for an account still waiting for it (its mail failed, or it expired)."""
    if not permissions.can_deactivate(by, user) and not any(
            permissions.can_manage_unit(by, m.unit) for m in Membership.objects.filter(user=user).select_related("unit")):
        raise ValidationError("Bạn không quản trị đơn vị nào của tài khoản này.")
    if user.is_active or user.has_usable_password() or is_deactivated(user):
        raise ValidationError(f"Tài khoản «{user.username}» không chờ kích hoạt: không gửi lại thư kích hoạt.")
    queue_invites([user.pk])


# ---------------------------------------------------------------- e-mails and their fate


def queue_invites(user_ids: list[int]) -> int:
    """Invitations go out from the task worker; until it reports, the unit page says "đang chờ gửi"."""
    from .tasks import send_invites

    now = timezone.now()
    for pk in user_ids:
        AccountState.objects.update_or_create(user_id=pk, defaults={
            "mail_kind": INVITE, "mail_state": MailState.QUEUED, "mail_at": now, "mail_error": "",
            "mail_retry_at": None})
    transaction.on_commit(lambda: send_invites.enqueue(user_ids))
    return len(user_ids)


def record_mail(user: User, kind: str, error: Exception | None) -> None:
    AccountState.objects.update_or_create(user_id=user.pk, defaults={
        "mail_kind": kind, "mail_state": MailState.FAILED if error else MailState.SENT, "mail_at": timezone.now(),
        "mail_error": f"{type(error).__name__}: {error}"[:300] if error else "", "mail_retry_at": None})


RESET_SUBJECT = "onboarding/password_reset_subject.txt"
RESET_BODY = "onboarding/password_reset_email.txt"


def reset_mail(user: User) -> tuple[str, str]:
    """The reset mail as the "forgot password" page writes it, with a new link on the site's address (a retry
    of a mail that failed carries a fresh link: the one never delivered is not needed)."""
    from urllib.parse import urlsplit

    from django.template.loader import render_to_string

    site = urlsplit(settings.SITE_URL)
    context = {"user": user, "email": user.email, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
               "token": links.make_token(user), "protocol": site.scheme or "http", "domain": site.netloc,
               "site_name": site.netloc}
    subject = "".join(render_to_string(RESET_SUBJECT, context).splitlines())
    return subject, render_to_string(RESET_BODY, context)


def retry_reset(user: User) -> None:
    """A reset mail the server refused is sent again by the worker later (`foundation/mailretry.py`)."""
    from danvan.foundation.mailretry import retry

    from .tasks import send_resets

    AccountState.objects.filter(user_id=user.pk).update(mail_retry_at=retry(send_resets, 0, [user.pk]))


def send_link(user: User, kind: str, subject: str, body: str) -> bool:
    """Send one mail with a link and record its fate; never raises. True when the mail server took it."""
    try:
        send_mail(subject, body, None, [user.email])
    except Exception as exc:  # the server refused or is down: recorded, shown on the unit page, sent again there
        record_mail(user, kind, exc)
        return False
    record_mail(user, kind, None)
    return True


def mail_label(s: AccountState | None) -> str:
    if s is None or not s.mail_state:
        return ""
    what = "Thư kích hoạt" if s.mail_kind == INVITE else "Thư đặt lại mật khẩu"
    when = timezone.localtime(s.mail_at).strftime("%d/%m/%Y %H:%M") if s.mail_at else ""
    if s.mail_state == MailState.FAILED:
        from danvan.foundation.mailretry import label

        return f"{what} chưa gửi được ({when}): {s.mail_error}{label(s.mail_retry_at)}"
    return f"{what} {s.get_mail_state_display()} ({when})"


# ---------------------------------------------------------------- the "forgot password" page's throttle


def reset_throttled(email: str, ip: str) -> str:
    """A Vietnamese refusal when this address entered or this client asked too often in the last hour, else "".
    Counted on the address as typed, so the answer is the same whether an account has it or not."""
    since = timezone.now() - datetime.timedelta(hours=1)
    PasswordResetRequest.objects.filter(at__lt=since).delete()
    recent = PasswordResetRequest.objects.filter(at__gte=since)
    email = email.strip().lower()
    if (recent.filter(email=email).count() >= settings.RESET_PER_ACCOUNT
            or recent.filter(ip_address=ip).count() >= settings.RESET_PER_ADDRESS):
        return ("Đã có quá nhiều yêu cầu đặt lại mật khẩu cho thư điện tử này hoặc từ máy của bạn trong một giờ "
                "qua. Hãy kiểm tra hộp thư (cả mục thư rác) và thử lại sau; cần gấp thì liên hệ quản trị viên đơn vị.")
    PasswordResetRequest.objects.create(email=email[:254], ip_address=ip[:45])
    return ""


def users_awaiting_reset(email: str):
    """Who the reset page mails: active accounts with a password, and accounts waiting for their first password
    (invited, or reactivated without one) — never a deactivated one."""
    User = get_user_model()
    deactivated = set(AccountState.objects.filter(deactivated_at__isnull=False, user__email__iexact=email)
                      .values_list("user_id", flat=True))
    for u in User._default_manager.filter(email__iexact=email):
        if u.pk in deactivated:
            continue
        if u.is_active == u.has_usable_password():
            yield u


def send_invite(user: User) -> int:
    """The only way a new account gets a password: a one-time link that expires. No password in the mail.
    1 when the mail server took it; its fate is recorded either way (`send_link`)."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    units = ", ".join(f"{m.get_role_display()} — {m.unit.name}"
                      for m in Membership.objects.filter(user=user).select_related("unit"))
    body = (
        f"Kính gửi {user.get_full_name() or user.username},\n\n"
        f"Tài khoản của đồng chí trên hệ thống quản lý phong trào thi đua “Dân vận khéo” đã được tạo.\n"
        f"Tên đăng nhập: {user.username}\n"
        + (f"Vai trò: {units}\n" if units else "")
        + f"\nĐể kích hoạt tài khoản, đồng chí hãy mở liên kết sau và tự đặt mật khẩu "
        f"(liên kết chỉ dùng được một lần, hết hạn sau {days} ngày):\n{link_for(user)}\n\n"
        "Hệ thống không bao giờ gửi mật khẩu qua thư. Nếu đồng chí không chờ thư này, hãy bỏ qua.\n"
    )
    return int(send_link(user, INVITE, "[Dân vận khéo] Kích hoạt tài khoản", body))
