"""Signing in: the user read from the shared cache, usernames without case, the login throttle's two limits.

Django's `ModelBackend.get_user` reads the user's row on every request; the row changes at a login, a new
password or a deactivation, and each of those is a save of that row, which `sharedcache.watch_writes` sees and
forgets at once. An inactive user is refused exactly as before (`user_can_authenticate`).

A username is one name whatever its case: "VP.SKHCN" signs in as "vp.skhcn", and django-axes counts the failures
of both under the folded name (`login_username`). The throttle (django-axes, settings.AXES_*) locks one username
from one address after `LOGIN_FAILURES` failures and one address across every username after
`LOGIN_FAILURES_PER_ADDRESS` (`failure_limit`); a success forgets only that username's failures from that
address (`forget_failures`), so logging in to one's own account does not reset a guessing run over others'."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Sum

from . import sharedcache
from .clientip import client_ip


def stored_username(typed: str) -> str:
    """The account's own spelling of a username typed in any case ("VP.SKHCN" → "vp.skhcn"); unknown: as typed."""
    model = get_user_model()
    found = list(model._default_manager.filter(username__iexact=typed).values_list("username", flat=True)[:2])
    return found[0] if len(found) == 1 else typed


def login_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the failures of "VP.SKHCN" and "vp.skhcn" are one account's."""
    typed = (credentials or {}).get("username") or (request.POST.get("username", "") if request else "")
    return str(typed or "").lower()


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: axes compares the address's failures (every username, the larger count) with this;
    once this username has had its own limit from this address, the limit is that."""
    from axes.attempts import get_cool_off_threshold
    from axes.models import AccessAttempt

    own = AccessAttempt.objects.filter(
        username=login_username(request, credentials), ip_address=client_ip(request),
        attempt_time__gte=get_cool_off_threshold(request)).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return settings.LOGIN_FAILURES if own >= settings.LOGIN_FAILURES else settings.LOGIN_FAILURES_PER_ADDRESS


def forget_failures(sender, request, user: User, **kwargs) -> None:
    """user_logged_in: this username's failures from this address are forgotten, the address's others kept."""
    from axes.models import AccessAttempt

    if request is not None:
        AccessAttempt.objects.filter(username=user.get_username().lower(), ip_address=client_ip(request)).delete()


class ModelBackend(DjangoModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username:
            username = stored_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        model = get_user_model()

        def build():
            try:
                user = model._default_manager.db_manager(DEFAULT_DB_ALIAS).get(pk=user_id)
            except model.DoesNotExist:
                return None
            return user if self.user_can_authenticate(user) else None

        return sharedcache.remember_row(model._meta.db_table, user_id, build)
