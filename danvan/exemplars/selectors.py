"""Reads that need care: always scoped to the user's subtrees."""

from __future__ import annotations

from django.db.models import QuerySet

from danvan.orgs import scoping
from danvan.orgs.models import OrgUnit

from .models import Exemplar, ExemplarQuerySet


def visible_exemplars(user, *, include_deleted: bool = False) -> ExemplarQuerySet:
    qs: ExemplarQuerySet = Exemplar.objects.filter(scoping.units_q(user, "unit__"))
    if not include_deleted:
        qs = qs.alive()
    return qs


def sees_deleted(user, ex: Exemplar) -> bool:
    """A soft-deleted exemplar exists only for admins over its unit (they may restore it)."""
    return not ex.is_deleted or scoping.sees_everything(user) or "admin" in scoping.roles_over(user, ex.unit)


def restorable_exemplars(user) -> ExemplarQuerySet:
    """Soft-deleted exemplars the user may see and restore: those under units they administer."""
    qs = visible_exemplars(user, include_deleted=True).deleted()
    if scoping.sees_everything(user):
        return qs
    admin_paths = [m.unit.path for m in scoping.memberships(user) if m.role == "admin"]
    return qs.filter(scoping.paths_q(admin_paths, "unit__"))


def visible_source(user, pk: int | None) -> Exemplar | None:
    """The source of a replication must be an exemplar the user can see."""
    if not pk:
        return None
    return visible_exemplars(user).filter(pk=pk).first()


def filter_exemplars(qs: QuerySet[Exemplar], params: dict) -> QuerySet[Exemplar]:
    """Apply list filters; unknown or malformed values are ignored, never an error."""
    def _int(key: str) -> int | None:
        try:
            return int(params.get(key) or "")
        except (TypeError, ValueError):
            return None

    if (year := _int("year")) is not None:
        qs = qs.filter(year=year)
    if (field_id := _int("field")) is not None:
        qs = qs.filter(field_id=field_id)
    if params.get("kind") in {"collective", "individual"}:
        qs = qs.filter(kind=params["kind"])
    if params.get("origin") in {"new", "replication"}:
        qs = qs.filter(origin=params["origin"])
    if status := (params.get("status") or "").strip():
        qs = qs.filter(status=status[:20])
    if level := (params.get("level") or "").strip():
        qs = qs.filter(unit__level__code=level[:32])
    if unit_code := (params.get("unit") or "").strip():
        if params.get("subtree"):
            unit = OrgUnit.objects.filter(code=unit_code).first()
            qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
        else:
            qs = qs.filter(unit__code=unit_code)
    return qs
