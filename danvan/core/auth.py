"""The signed-in user, read from the shared cache instead of the database on every request.

Django's `ModelBackend.get_user` reads the user's row on every request; the row changes at a login, a new
password or a deactivation, and each of those is a save of that row, which `sharedcache.watch_writes` sees and
forgets at once. An inactive user is refused exactly as before (`user_can_authenticate`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS

from . import sharedcache


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        model = get_user_model()

        def build():
            try:
                user = model._default_manager.db_manager(DEFAULT_DB_ALIAS).get(pk=user_id)
            except model.DoesNotExist:
                return None
            return user if self.user_can_authenticate(user) else None

        return sharedcache.remember_row(model._meta.db_table, user_id, build)
