"""Reads that need care: always scoped to the user's subtrees."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet

from danvan.core import sharedcache
from danvan.orgs import scoping
from danvan.orgs.models import Level, OrgUnit

from .models import Exemplar, ExemplarQuerySet, Field, Recognition, Status

# Recognized exemplars are known beyond their subtree: any unit may replicate them.
PUBLIC_STATUSES = (Status.RECOGNIZED, Status.COMMENDED)
MAX_LINEAGE = 50


def visible_exemplars(user, *, include_deleted: bool = False) -> ExemplarQuerySet:
    qs: ExemplarQuerySet = Exemplar.objects.filter(scoping.units_q(user, "unit__"))
    if not include_deleted:
        qs = qs.alive()
    return qs


MAX_UNIT_CHOICES = 500


def filter_choices(user) -> dict[str, list[tuple]]:
    """The list page's dropdowns as (value, label) pairs: the user's units (the first 500 in tree order), the
    fields their units own, the levels. Kept in the shared cache per scope until a unit, membership or field
    changes (`sharedcache`, group "org")."""
    scope = "*" if scoping.sees_everything(user) else "|".join(scoping.visible_paths(user))

    def build() -> dict[str, list[tuple]]:
        units = OrgUnit.objects.using(DEFAULT_DB_ALIAS).filter(scoping.units_q(user)).order_by("path")
        fields = Field.objects.using(DEFAULT_DB_ALIAS).filter(scoping.units_q(user, "owner__")).order_by("name")
        return {"units": list(units.values_list("code", "name")[:MAX_UNIT_CHOICES]),
                "fields": list(fields.values_list("pk", "name")),
                "levels": list(Level.objects.using(DEFAULT_DB_ALIAS).values_list("code", "name"))}

    return sharedcache.remember(f"choices:{sharedcache.digest(scope)}", "org", build)


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


def source_candidates(user) -> ExemplarQuerySet:
    """What a replication may point to: exemplars the user sees, and any recognized or commended one."""
    return Exemplar.objects.alive().filter(scoping.units_q(user, "unit__") | Q(status__in=PUBLIC_STATUSES))


def visible_source(user, pk: int | None) -> Exemplar | None:
    """The source of a replication must be an exemplar the user may replicate."""
    if not pk:
        return None
    return source_candidates(user).filter(pk=pk).first()


def published_exemplars() -> ExemplarQuerySet:
    """The public showcase: alive recognized exemplars with a recognition its recognizing body published."""
    return Exemplar.objects.alive().filter(
        status__in=PUBLIC_STATUSES, pk__in=Recognition.objects.filter(published=True).values("exemplar_id"))


def lineage(ex: Exemplar) -> list[Exemplar]:
    """From the original down to `ex`'s source: replicas of replicas trace back to the first model."""
    chain: list[Exemplar] = []
    seen = {ex.pk}
    current = ex.source_id
    while current is not None and current not in seen and len(chain) < MAX_LINEAGE:
        seen.add(current)
        node = Exemplar.objects.select_related("unit").filter(pk=current).first()
        if node is None:
            break
        chain.append(node)
        current = node.source_id
    return list(reversed(chain))


@dataclass
class Spread:
    """Where an exemplar has spread: every replica down the generations, counted per level."""

    replicas: list[Exemplar] = field(default_factory=list)
    generation: dict[int, int] = field(default_factory=dict)
    per_level: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.replicas)


def spread(ex: Exemplar) -> Spread:
    """Replicas of `ex`, of its replicas, and so on: one query per generation, not per exemplar."""
    out = Spread()
    frontier, seen, depth = [ex.pk], {ex.pk}, 0
    while frontier and depth < MAX_LINEAGE:
        depth += 1
        rows = list(Exemplar.objects.alive().filter(source_id__in=frontier).exclude(pk__in=seen)
                    .select_related("unit__level").order_by("year", "unit__path", "pk"))
        for r in rows:
            seen.add(r.pk)
            out.replicas.append(r)
            out.generation[r.pk] = depth
        frontier = [r.pk for r in rows]
    counts = Counter((r.unit.level.rank, r.unit.level.name) for r in out.replicas)
    out.per_level = [(name, n) for (_, name), n in sorted(counts.items())]
    return out


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
