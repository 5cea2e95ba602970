"""Create, check and revoke API tokens (the profile page and the API's auth call these)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.orgs.permissions import Actor

from .models import ApiToken

TOKEN_PREFIX = "dvk_"
# Writing last_used_at on every request would make every GET a write; once a minute is enough.
TOUCH_EVERY = datetime.timedelta(minutes=1)


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, user: User, name: str, expires_at: datetime.datetime | None = None) -> NewToken:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationError({"name": "Hãy đặt tên cho khóa (ví dụ: “Phần mềm tổng hợp của Văn phòng”)."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Ngày hết hạn phải ở tương lai."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], secret_hash=_hash(raw),
                                    expires_at=expires_at)
    return NewToken(token, raw)


def user_for_token(raw: str):
    """The active user behind a bearer token, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(secret_hash=_hash(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_all(user: User, reason: str) -> int:
    """Every token of ``user`` still in use, revoked now with its reason (`ApiToken.Revoked`): a password change
    or a deactivation ends every program's access as it ends the sessions."""
    return ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                                 revoked_reason=reason)


def revoke_token(*, token: ApiToken, by: Actor) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied("Bạn chỉ thu hồi được khóa của chính mình.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_on_new_password(sender, instance, created: bool, **kwargs) -> None:
    """post_save of the user model: a password set through `set_password` (every door: the reset link, the
    admin, `changepassword`) ends every token, as a leaked password's tokens must not outlive it."""
    if not created and getattr(instance, "_password", None) is not None:
        revoke_all(instance, ApiToken.Revoked.PASSWORD)


def revoke_on_deactivation(sender, user, by=None, **kwargs) -> None:
    """onboarding.accounts.deactivated: an account turned off loses every token at once."""
    revoke_all(user, ApiToken.Revoked.DEACTIVATED)
