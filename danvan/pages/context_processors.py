from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS

from danvan.foundation import sharedcache
from danvan.orgs import permissions


def unread_count(user: User) -> int:
    """The badge on "Thông báo". Kept in the shared cache; whatever adds or reads a user's notifications
    calls `sharedcache.forget_user("unread", ...)` (movement.services._notify_unit, movement.views.notifications)."""
    from danvan.movement.models import Notification

    return sharedcache.remember(
        sharedcache.user_key("unread", user.pk), None,
        lambda: Notification.objects.using(DEFAULT_DB_ALIAS).filter(user=user, read_at__isnull=True).count())


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"my_units": permissions.home_units(user), "unread_notifications": unread_count(user),
            "can_audit": permissions.can_audit(user), "can_onboard": permissions.can_onboard(user),
            "demo_mail": bool(user.is_superuser and getattr(settings, "DEMO_MAIL_DIR", ""))}
