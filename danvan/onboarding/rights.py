"""Who may administer what in onboarding: the admin and board roles over a subtree, and the roles one may grant."""

from __future__ import annotations

from danvan.orgs import scoping
from danvan.orgs.models import OrgUnit, Role
from danvan.orgs.permissions import Actor

ROLE_RANK = {Role.OFFICER: 0, Role.LEADER: 1, Role.OFFICE: 2, Role.BOARD: 3, Role.ADMIN: 4}
ADMIN_ROLES = {Role.ADMIN, Role.BOARD}


def admin_paths(user: Actor) -> list[str]:
    """Paths of the subtrees the user administers (admin or board role); [""] for a superuser."""
    if scoping.sees_everything(user):
        return [""]
    return [m.unit.path for m in scoping.memberships(user) if m.role in ADMIN_ROLES]


def can_onboard(user: Actor) -> bool:
    return bool(admin_paths(user))


def can_manage_unit(user: Actor, unit: OrgUnit) -> bool:
    """Create, edit, restructure units and grant roles in this unit's subtree."""
    return any(unit.path.startswith(p) for p in admin_paths(user))


def grantable_roles(user: Actor, unit: OrgUnit) -> list[str]:
    """Roles the user may give or take away at `unit`: never above their own, never outside their subtree.

    A board/admin member over the unit grants up to their own role; a unit's leader manages the
    officers of that very unit.
    """
    if scoping.sees_everything(user):
        return list(Role.values)
    top = -1
    for m in scoping.memberships(user):
        if m.role in ADMIN_ROLES and unit.path.startswith(m.unit.path):
            top = max(top, ROLE_RANK[Role(m.role)])
        elif m.role == Role.LEADER and m.unit_id == unit.pk:
            top = max(top, ROLE_RANK[Role.OFFICER])
    return [r for r in Role.values if ROLE_RANK[Role(r)] <= top]


def can_grant(user: Actor, unit: OrgUnit, role: str) -> bool:
    return role in grantable_roles(user, unit)


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
