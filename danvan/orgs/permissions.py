"""Who may do what (issue 17 §3 gathers every right here). For now: the typed actor.

The actor is the argument every right depends on: `request.user` of a page, the API's token owner, the CLI's --by.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

Actor = User | AnonymousUser


def author(user: Actor) -> User:
    """The account behind an actor a right has let through: what a service records as who did something
    (created_by, by, sent_by). Every door asks a right first, so an anonymous actor never gets here; if one
    does, it is refused rather than stored."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise PermissionDenied
