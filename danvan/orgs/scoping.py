"""Who sees and edits what. Every door (pages, admin, API, exports) asks here.

A member of a unit sees that unit's whole subtree. Officers and leaders edit
their own unit; the office, the board and admins act on their whole subtree.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet

from danvan.core import sharedcache

from . import permissions
from .models import EDIT_ROLES, SUBTREE_ROLES, Membership, OrgUnit, Role
from .permissions import Actor

_CACHE_ATTR = "_danvan_memberships"


def memberships(user: Actor) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = sharedcache.remember(
            f"memberships:{user.pk}", "org",
            lambda: list(Membership.objects.using(DEFAULT_DB_ALIAS).filter(user=permissions.author(user)).select_related("unit")))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter prefix in the list."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(r) for r in result):
            result.append(p)
    return result


def sees_everything(user: Actor) -> bool:
    return bool(getattr(user, "is_superuser", False))


def visible_paths(user: Actor) -> list[str]:
    return _minimal_paths(m.unit.path for m in memberships(user))


def paths_q(paths: list[str], prefix: str = "") -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{prefix}path__startswith": p})
    return q


def units_q(user: Actor, prefix: str = "") -> Q:
    """A filter on OrgUnit (prefix='') or on a model's unit (prefix='unit__')."""
    if sees_everything(user):
        return Q()
    return paths_q(visible_paths(user), prefix)


def visible_units(user: Actor) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(units_q(user))


def can_see_unit(user: Actor, unit: OrgUnit) -> bool:
    if sees_everything(user):
        return True
    return any(unit.path.startswith(p) for p in visible_paths(user))


def roles_over(user: Actor, unit: OrgUnit) -> set[str]:
    """The roles the user holds that reach this unit."""
    if sees_everything(user):
        return set(Role.values)
    roles: set[str] = set()
    for m in memberships(user):
        if m.unit_id == unit.pk:
            roles.add(m.role)
        elif m.role in SUBTREE_ROLES and unit.path.startswith(m.unit.path):
            roles.add(m.role)
    return roles


def can_edit_unit(user: Actor, unit: OrgUnit) -> bool:
    return bool(roles_over(user, unit) & EDIT_ROLES)


def _editable_parts(user: Actor) -> list[Q]:
    parts = []
    for m in memberships(user):
        if m.role in SUBTREE_ROLES:
            parts.append(Q(path__startswith=m.unit.path))
        elif m.role in EDIT_ROLES:
            parts.append(Q(pk=m.unit_id))
    return parts


def editable_units(user: Actor) -> QuerySet[OrgUnit]:
    if sees_everything(user):
        return OrgUnit.objects.all()
    q = Q(pk__in=[])
    for part in _editable_parts(user):
        q |= part
    return OrgUnit.objects.filter(q)


def edits_any_unit(user: Actor) -> bool:
    """`editable_units(user).exists()`, without a query for a member: each part holds at least its own unit."""
    if sees_everything(user):
        return OrgUnit.objects.exists()
    return bool(_editable_parts(user))


def home_units(user: Actor) -> list[OrgUnit]:
    """The units the user belongs to, for the home page and menus."""
    seen: dict[int, OrgUnit] = {}
    for m in memberships(user):
        seen.setdefault(m.unit_id, m.unit)
    return sorted(seen.values(), key=lambda u: u.path)
