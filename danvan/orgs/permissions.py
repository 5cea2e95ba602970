"""Who may do what: every right in the project, asked by every door (pages, admin, API, CLI, exports) and service.

The actor is the signed-in user (or the anonymous one). A superuser sees and may do everything.
A member of a unit sees that unit's whole subtree, never a unit above it. What else a role may do:

- SUBTREE_ROLES (office, board, admin) act on the whole subtree below their unit: edit it, issue and
  relay rounds from it, review, remind, consolidate, record recognitions (DOMAIN.md §4–§6);
- EDIT_ROLES (every role) edit their own unit's content;
- ASSESS_ROLES (leader and the subtree roles) assess an exemplar's result;
- APPROVE_ROLES (leader, admin) send their own unit's registration to the issuer;
- ADMIN_ROLES (board, admin) administer the subtree: units, restructuring, people and roles up to their own rank;
- ADMIN_ONLY (admin) reads the audit log of the subtree and sees/restores deleted exemplars.

One predicate per verb below; a rule changes here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet

from danvan.foundation import sharedcache

from .models import Membership, OrgUnit, Role

# The argument every right depends on: `request.user` of a page, the API's token owner, the CLI's --by.
Actor = User | AnonymousUser

SUBTREE_ROLES = frozenset({Role.OFFICE, Role.BOARD, Role.ADMIN})
EDIT_ROLES = frozenset(Role)
ASSESS_ROLES = frozenset({Role.LEADER, *SUBTREE_ROLES})
APPROVE_ROLES = frozenset({Role.LEADER, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.BOARD, Role.ADMIN})
# Who keeps a unit's outgoing register (sổ văn bản đi): its own office, board or administrator — the register of a
# unit is its own; a superior does not number another body's letters.
REGISTER_ROLES = frozenset({Role.OFFICE, Role.BOARD, Role.ADMIN})
ADMIN_ONLY = frozenset({Role.ADMIN})
# The order in which one role may grant another: never above one's own.
ROLE_RANK = {Role.OFFICER: 0, Role.LEADER: 1, Role.OFFICE: 2, Role.BOARD: 3, Role.ADMIN: 4}

_CACHE_ATTR = "_danvan_memberships"


def author(user: Actor) -> User:
    """The account behind an actor a right has let through: what a service records as who did something
    (created_by, by, sent_by). Every door asks a right first, so an anonymous actor never gets here; if one
    does, it is refused rather than stored."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise PermissionDenied


class AtUnit(Protocol):
    """A registration as far as rights go (movement's Submission): its unit and that unit's path when it was made."""

    unit_id: int
    unit_path: str


# ---------------------------------------------------------------- memberships and seeing

def memberships(user: Actor) -> list[Membership]:
    pk = user.pk if getattr(user, "is_authenticated", False) else None
    if pk is None:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = sharedcache.remember(
            f"memberships:{pk}", "org",
            lambda: list(Membership.objects.using(DEFAULT_DB_ALIAS).filter(user_id=pk).select_related("unit")))
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


def within(path: str, paths: list[str]) -> bool:
    """`path` lies in one of the subtrees `paths` ([""] is the whole tree)."""
    return any(path.startswith(p) for p in paths)


def can_see_unit(user: Actor, unit: OrgUnit) -> bool:
    if sees_everything(user):
        return True
    return within(unit.path, visible_paths(user))


def home_units(user: Actor) -> list[OrgUnit]:
    """The units the user belongs to, for the home page and menus."""
    seen: dict[int, OrgUnit] = {}
    for m in memberships(user):
        seen.setdefault(m.unit_id, m.unit)
    return sorted(seen.values(), key=lambda u: u.path)


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


def acts_on_behalf(user: Actor, unit: OrgUnit) -> bool:
    """True when the user's right over `unit` comes only from a role held higher up the tree."""
    return not any(m.unit_id == unit.pk for m in memberships(user))


# ---------------------------------------------------------------- editing content

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


# ---------------------------------------------------------------- exemplars' lifecycle

def can_assess(user: Actor, unit: OrgUnit) -> bool:
    """Assess the result of an exemplar of `unit` (achieved / not achieved)."""
    return bool(roles_over(user, unit) & ASSESS_ROLES)


def can_decide(user: Actor, unit: OrgUnit) -> bool:
    """Record a recognition, commendation or award as `unit` (for an exemplar on its line)."""
    return bool(roles_over(user, unit) & SUBTREE_ROLES)


def can_restore(user: Actor, unit: OrgUnit) -> bool:
    """See and restore a soft-deleted exemplar of `unit`."""
    return sees_everything(user) or bool(roles_over(user, unit) & ADMIN_ONLY)


def restore_paths(user: Actor) -> list[str] | None:
    """Subtrees whose deleted exemplars the user may restore: None means everything (superuser)."""
    if sees_everything(user):
        return None
    return [m.unit.path for m in memberships(user) if m.role in ADMIN_ONLY]


# ---------------------------------------------------------------- the yearly cycle

def can_issue(user: Actor, unit: OrgUnit) -> bool:
    """Launch/relay a round from `unit`, review its targets' submissions, remind them."""
    return bool(roles_over(user, unit) & SUBTREE_ROLES)


def issuer_units(user: Actor) -> QuerySet[OrgUnit]:
    """Units (with children) the user may launch or relay a round from, or request a report of."""
    if sees_everything(user):
        return OrgUnit.objects.filter(numchild__gt=0)
    return OrgUnit.objects.filter(pk__in=issuing_unit_ids(user), numchild__gt=0)


def issuing_unit_ids(user: Actor) -> list[int]:
    """The user's own units whose subtree role lets them issue (relay, review) from that very unit."""
    return [m.unit_id for m in memberships(user) if m.role in SUBTREE_ROLES]


def approving_unit_ids(user: Actor) -> set[int]:
    """The user's own units whose registration they send to the issuer themselves (leader, admin)."""
    return {m.unit_id for m in memberships(user) if m.role in APPROVE_ROLES}


def can_submit(user: Actor, sub: AtUnit) -> bool:
    """Send a registration to the issuer: the unit's leader or admin, or a subtree role above the unit."""
    if sees_everything(user):
        return True
    for m in memberships(user):
        if m.unit_id == sub.unit_id and m.role in APPROVE_ROLES:
            return True
        if m.role in SUBTREE_ROLES and sub.unit_path.startswith(m.unit.path) and m.unit.path != sub.unit_path:
            return True
    return False


def can_keep_register(user: Actor, unit: OrgUnit) -> bool:
    """Give the unit's outgoing letters their numbers, withdraw one: the unit's own office, board or admin."""
    if sees_everything(user):
        return True
    return any(m.unit_id == unit.pk and m.role in REGISTER_ROLES for m in memberships(user))


def can_read_register(user: Actor, unit: OrgUnit) -> bool:
    """Read the unit's outgoing register: who keeps it, the unit's leader, and who issues over the unit."""
    return can_keep_register(user, unit) or bool(roles_over(user, unit) & (SUBTREE_ROLES | {Role.LEADER}))


def can_edit_letter_settings(user: Actor, unit: OrgUnit) -> bool:
    """Who sets what the unit's letters print: those who issue for it, and the unit's own leader."""
    return can_issue(user, unit) or Role.LEADER in roles_over(user, unit)


# ---------------------------------------------------------------- administering the tree and its people

def admin_paths(user: Actor) -> list[str]:
    """Paths of the subtrees the user administers (admin or board role); [""] for a superuser."""
    if sees_everything(user):
        return [""]
    return [m.unit.path for m in memberships(user) if m.role in ADMIN_ROLES]


def can_onboard(user: Actor) -> bool:
    return bool(admin_paths(user))


def can_manage_unit(user: Actor, unit: OrgUnit) -> bool:
    """Create, edit, restructure units and grant roles in this unit's subtree."""
    return within(unit.path, admin_paths(user))


def grantable_roles(user: Actor, unit: OrgUnit) -> list[str]:
    """Roles the user may give or take away at `unit`: never above their own, never outside their subtree.

    A board/admin member over the unit grants up to their own role; a unit's leader manages the
    officers of that very unit.
    """
    if sees_everything(user):
        return list(Role.values)
    top = -1
    for m in memberships(user):
        if m.role in ADMIN_ROLES and unit.path.startswith(m.unit.path):
            top = max(top, ROLE_RANK[Role(m.role)])
        elif m.role == Role.LEADER and m.unit_id == unit.pk:
            top = max(top, ROLE_RANK[Role.OFFICER])
    return [r for r in Role.values if ROLE_RANK[Role(r)] <= top]


def can_grant(user: Actor, unit: OrgUnit, role: str) -> bool:
    return role in grantable_roles(user, unit)


def can_deactivate(by: Actor, person: User) -> bool:
    """Lock or unlock an account: whoever may grant every role the person holds, never oneself (a superuser's only
    by a superuser; an account without roles only by a superuser)."""
    if person.pk == by.pk or (person.is_superuser and not sees_everything(by)):
        return False
    held = list(Membership.objects.filter(user_id=person.pk).select_related("unit"))
    if not held:
        return sees_everything(by)
    return all(can_grant(by, m.unit, m.role) for m in held)


# ---------------------------------------------------------------- the audit log

def audit_paths(user: Actor) -> list[str] | None:
    """Subtrees whose log the user may read: None means everything (superuser), [] means nothing."""
    if sees_everything(user):
        return None
    return sorted({m.unit.path for m in memberships(user) if m.role in ADMIN_ONLY})


def can_audit(user: Actor) -> bool:
    return audit_paths(user) != []
