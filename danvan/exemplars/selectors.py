"""Reads that need care: always scoped to the user's subtrees."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from danvan.foundation import sharedcache
from danvan.foundation.params import query_int
from danvan.orgs import permissions, tree
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from .models import Exemplar, ExemplarQuerySet, Field, Recognition, Status

# Recognized exemplars are known beyond their subtree: any unit may replicate them.
PUBLIC_STATUSES = (Status.RECOGNIZED, Status.COMMENDED)
MAX_LINEAGE = 50


def visible_exemplars(user: Actor, *, include_deleted: bool = False) -> ExemplarQuerySet:
    qs: ExemplarQuerySet = Exemplar.objects.filter(permissions.units_q(user, "unit__"))
    if not include_deleted:
        qs = qs.alive()
    return qs


def counts_under(user, units: list[OrgUnit]) -> dict[str, int]:
    """The exemplars the user sees under each unit's subtree, by unit path: one grouped query per depth among
    `units` (siblings: one), whatever their number — never a count per unit."""
    by_length: dict[int, set[str]] = defaultdict(set)
    for u in units:
        by_length[len(u.path)].add(u.path)
    found: dict[str, int] = {}
    for length, paths in by_length.items():
        common = os.path.commonprefix(sorted(paths))
        common = common[: len(common) - len(common) % OrgUnit.steplen]
        rows = (visible_exemplars(user).filter(unit__path__startswith=common)
                .annotate(branch=Substr("unit__path", 1, length)).filter(branch__in=sorted(paths))
                .order_by().values("branch").annotate(n=Count("pk")).values_list("branch", "n"))
        found.update(rows)
    return {u.path: found.get(u.path, 0) for u in units}


MAX_UNIT_CHOICES = 500


def filter_choices(user: Actor) -> dict[str, list[tuple]]:
    """The list page's dropdowns as (value, label) pairs: the user's units (the first 500 in tree order), the
    fields their units own, the levels. Kept in the shared cache per scope until a unit, membership or field
    changes (`sharedcache`, group "org")."""
    scope = "*" if permissions.sees_everything(user) else "|".join(permissions.visible_paths(user))

    def build() -> dict[str, list[tuple]]:
        units = OrgUnit.objects.using(DEFAULT_DB_ALIAS).filter(permissions.units_q(user)).order_by("path")
        fields = Field.objects.using(DEFAULT_DB_ALIAS).filter(permissions.units_q(user, "owner__")).order_by("name")
        return {"units": list(units.values_list("code", "name")[:MAX_UNIT_CHOICES]),
                "fields": list(fields.values_list("pk", "name")),
                "levels": [(lv.code, lv.name) for lv in tree.levels().values()]}

    return sharedcache.remember(f"choices:{sharedcache.digest(scope)}", "org", build)


def sees_deleted(user: Actor, ex: Exemplar) -> bool:
    """A soft-deleted exemplar exists only for admins over its unit (they may restore it)."""
    return not ex.is_deleted or permissions.can_restore(user, ex.unit)


def restorable_exemplars(user: Actor) -> ExemplarQuerySet:
    """Soft-deleted exemplars the user may see and restore: those under units they administer."""
    qs = visible_exemplars(user, include_deleted=True).deleted()
    paths = permissions.restore_paths(user)
    return qs if paths is None else qs.filter(permissions.paths_q(paths, "unit__"))


def source_candidates(user: Actor) -> ExemplarQuerySet:
    """What a replication may point to: exemplars the user sees, and any recognized or commended one."""
    return Exemplar.objects.alive().filter(permissions.units_q(user, "unit__") | Q(status__in=PUBLIC_STATUSES))


def visible_source(user: Actor, pk: int | None) -> Exemplar | None:
    """The source of a replication must be an exemplar the user may replicate."""
    if not pk:
        return None
    return source_candidates(user).filter(pk=pk).first()


def published_exemplars() -> ExemplarQuerySet:
    """The public showcase: alive recognized exemplars with a recognition its recognizing body published."""
    return Exemplar.objects.alive().filter(
        status__in=PUBLIC_STATUSES, pk__in=Recognition.objects.filter(published=True).values("exemplar_id"))


def nameable_exemplars(user: Actor) -> ExemplarQuerySet:
    """Exemplars whose name a page may show the user in a list of related models (lineage, replicas): alive, and
    in the user's scope or recognized (known beyond their subtree as a source anyone may replicate). Every other
    related exemplar is at most counted ("và 3 mô hình ở đơn vị khác"); a soft-deleted one is never shown."""
    return source_candidates(user)


def _named_and_linked(user: Actor, ids: list[int]) -> tuple[set[int], set[int]]:
    """Which of `ids` the user may see named, and which of those they may open (their scope)."""
    if not ids:
        return set(), set()
    named = set(nameable_exemplars(user).filter(pk__in=ids).values_list("pk", flat=True))
    linked = set(visible_exemplars(user).filter(pk__in=named).values_list("pk", flat=True)) if named else set()
    return named, linked


@dataclass
class Lineage:
    """The models `ex` replicates, from the original down to its source, as the viewer may see them:
    `chain` the ones they may see named, `hidden` how many others (alive) lie on the way, `linked` the ids they
    may open, `original` whether chain[0] is the first model."""

    chain: list[Exemplar] = field(default_factory=list)
    hidden: int = 0
    linked: set[int] = field(default_factory=set)
    original: bool = False

    def __bool__(self) -> bool:
        return bool(self.chain or self.hidden)


def lineage(ex: Exemplar, user: Actor | None = None) -> Lineage:
    """From the original down to `ex`'s source: replicas of replicas trace back to the first model.

    With `user`, only what they may see is named (`nameable_exemplars`); soft-deleted models are never shown nor
    counted. Without, every alive model of the chain (for counts)."""
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
    chain.reverse()
    alive = [n for n in chain if not n.is_deleted]
    if user is None:
        return Lineage(chain=alive, linked=set(), original=bool(chain) and not chain[0].is_deleted)
    named, linked = _named_and_linked(user, [n.pk for n in alive])
    shown = [n for n in alive if n.pk in named]
    return Lineage(chain=shown, hidden=len(alive) - len(shown), linked=linked,
                   original=bool(shown) and shown[0] is chain[0])


@dataclass
class Spread:
    """Where an exemplar has spread: every replica down the generations, counted per level.

    `replicas` are the ones the viewer may see named (all, when no viewer is given), `hidden` how many others
    there are; `total` and `per_level` count them all (counts are not a disclosure)."""

    replicas: list[Exemplar] = field(default_factory=list)
    generation: dict[int, int] = field(default_factory=dict)
    per_level: list[tuple[str, int]] = field(default_factory=list)
    hidden: int = 0
    linked: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return len(self.replicas) + self.hidden


def spread(ex: Exemplar, user: Actor | None = None) -> Spread:
    """Replicas of `ex`, of its replicas, and so on: one query per generation, not per exemplar.
    With `user`, the list names only what they may see (`nameable_exemplars`), the others are counted."""
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
    if user is not None:
        named, out.linked = _named_and_linked(user, [r.pk for r in out.replicas])
        shown = [r for r in out.replicas if r.pk in named]
        out.hidden = len(out.replicas) - len(shown)
        out.replicas = shown
    return out


@dataclass
class ListFilters:
    """The list's filters as read from the query string; unknown or malformed values are dropped."""
    year: int | None = None
    field_id: int | None = None
    kind: str = ""
    origin: str = ""
    status: str = ""
    level: str = ""
    unit: str = ""
    subtree: bool = False

    @classmethod
    def parse(cls, params: dict) -> ListFilters:
        def _int(key: str) -> int | None:
            return query_int(params.get(key))

        return cls(year=_int("year"), field_id=_int("field"),
                   kind=params["kind"] if params.get("kind") in {"collective", "individual"} else "",
                   origin=params["origin"] if params.get("origin") in {"new", "replication"} else "",
                   status=(params.get("status") or "").strip()[:20], level=(params.get("level") or "").strip()[:32],
                   unit=(params.get("unit") or "").strip(), subtree=bool(params.get("subtree")))


def filter_exemplars(qs: QuerySet[Exemplar], params: dict) -> QuerySet[Exemplar]:
    """Apply list filters; unknown or malformed values are ignored, never an error."""
    f = ListFilters.parse(params)
    if f.year is not None:
        qs = qs.filter(year=f.year)
    if f.field_id is not None:
        qs = qs.filter(field_id=f.field_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.origin:
        qs = qs.filter(origin=f.origin)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(unit__level__code=f.level)
    if f.unit:
        if f.subtree:
            unit = OrgUnit.objects.filter(code=f.unit).first()
            qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
        else:
            qs = qs.filter(unit__code=f.unit)
    return qs


def tallied_years(user: Actor, params: dict) -> dict[int, int] | None:
    """How many exemplars `filter_exemplars(visible_exemplars(user), params)` holds per registration year
    ({year: count}, years with none left out), read from the kept counts (`reports.tally`) when every filter is
    one of their columns and the subtrees asked about are tallied ones (the country, a province); None otherwise,
    and the caller counts the rows. At 1,000,000 exemplars the national list's COUNT took ~300 ms, a province's
    ~20 ms of the database's CPU; this is one small grouped SUM."""
    from danvan.reports import tally

    f = ListFilters.parse(params)
    if f.status or (f.unit and not f.subtree) or tally.depth() < 1:
        return None
    paths = None if permissions.sees_everything(user) else permissions.visible_paths(user)
    if f.unit:
        unit = OrgUnit.objects.filter(code=f.unit).first()
        if unit is None:
            return {}
        if paths is None or any(unit.path.startswith(p) for p in paths):
            paths = [unit.path]
        else:  # the part of the user's scope that lies under the unit (nothing if none does)
            paths = [p for p in paths if p.startswith(unit.path)]
            if not paths:
                return {}
    if paths is not None and any(len(p) > tally.depth() * OrgUnit.steplen for p in paths):
        return None
    filters: dict = {k: v for k, v in (("year", f.year), ("field_id", f.field_id), ("kind", f.kind),
                                        ("origin", f.origin)) if v not in (None, "")}
    if f.level:
        level = next((pk for pk, lv in tree.levels().items() if lv.code == f.level), None)
        if level is None:
            return {}
        filters["level_id"] = level
    return tally.count_by_year(paths, filters)
