"""Per-ancestor tallies: the exemplar counts of the top of the tree, kept in step with every save.

The country's dashboard and annual statistics group every alive exemplar of the subtree; at 1,000,000
exemplars that scan alone costs ~1.1 s. `SubtreeTally` holds the same grouped counts, per unit of the top
`DANVAN_TALLY_DEPTH` levels (the country, the provinces), so `reports.stats.compute` reads a few thousand rows
there instead. Lower levels hold few enough exemplars to be scanned.

Kept in step:
- every exemplar save or delete (create, edit, import, lifecycle, soft delete, restore) moves one unit of count
  from its old key to its new one (`reports.signals`), with one upsert per ancestor chain;
- a unit moved to another branch or given another level changes its exemplars' ancestors or level: the chains
  concerned are recounted in the same transaction (`moved`, on treebeard's `path_updated`; `refresh_units`,
  called by `onboarding.administration` and `onboarding.tree_import` when a unit's level changes);
- bulk loads that bypass signals (`danvan generate`) and `danvan reindex` rebuild everything (`rebuild`).

A count for a past year whose tree has changed since (`onboarding.selectors.moves_after` is not empty) is still
computed by the scan, since the tally follows the tree as it is now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from danvan.exemplars.models import BUILT_STATUSES, Exemplar, Movement, Origin, Status
from danvan.orgs.models import OrgUnit

from .models import SubtreeTally

GROUP = ("year", "kind", "origin", "field_id", "unit__level_id")
NOT_BUILT = [s for s in Status.values if s not in BUILT_STATUSES]


def counts() -> dict:
    """The two numbers every grouping of exemplars takes: how many, and how many are not built."""
    return {"n": Count("*"), "not_built": Count("id", filter=Q(status__in=NOT_BUILT))}


def depth() -> int:
    return getattr(settings, "DANVAN_TALLY_DEPTH", 2)


def covers(node: OrgUnit, moves: tuple[list[str], list[str]]) -> bool:
    """Whether `node`'s counts can be read from the tally: a top-level node whose subtree has not changed
    since the year asked about."""
    return node.depth <= depth() and not moves[0] and not moves[1]


def rows(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int) -> list[dict]:
    """The same rows as the grouped scan of `reports.stats.compute` (GROUP, n, not_built), from the tally."""
    qs = SubtreeTally.objects.filter(ancestor=node, year__gte=year_from, year__lte=year_to, n__gt=0)
    if movement is not None:
        qs = qs.filter(movement=movement)
    out = list(qs.values("year", "kind", "origin", "field_id", "level_id").annotate(
        n_sum=Sum("n"), nb_sum=Sum("not_built")).order_by())
    return [{"year": r["year"], "kind": r["kind"], "origin": r["origin"], "field_id": r["field_id"],
             "unit__level_id": r["level_id"], "n": r["n_sum"], "not_built": r["nb_sum"]} for r in out]


def branch_counts(node: OrgUnit, children: list[int], movement: Movement | None, year: int
                  ) -> dict[int, tuple[int, int, int]]:
    """{unit id: (registered, built, replicated)} in `year` for `node` and its tallied `children`."""
    qs = SubtreeTally.objects.filter(ancestor_id__in=[node.pk, *children], year=year)
    if movement is not None:
        qs = qs.filter(movement=movement)
    return {r["ancestor_id"]: (r["n_sum"], r["n_sum"] - r["nb_sum"], r["rep"] or 0) for r in qs.values(
        "ancestor_id").annotate(n_sum=Sum("n"), nb_sum=Sum("not_built"),
                                rep=Sum("n", filter=Q(origin=Origin.REPLICATION))).order_by()}


def count_by_year(paths: list[str] | None, filters: dict) -> dict[int, int]:
    """{year: alive exemplars} under the tallied units at `paths` (disjoint subtrees; None: the whole tree)
    whose key columns (year, kind, origin, field_id, level_id, movement_id) equal `filters`; no empty years."""
    qs = SubtreeTally.objects.filter(**filters)
    qs = qs.filter(ancestor__depth=1) if paths is None else qs.filter(ancestor__path__in=paths)
    rows = qs.values("year").annotate(total=Sum("n")).order_by()
    return {r["year"]: r["total"] for r in rows if r["total"]}


def years(paths: list[str] | None) -> list[int] | None:
    """The registration years that have alive exemplars under `paths` (None: the whole tree), newest first,
    read from the tally; None when a path lies below the tallied levels (the caller then scans)."""
    if depth() < 1:
        return None
    qs = SubtreeTally.objects.filter(n__gt=0)
    if paths is None:
        qs = qs.filter(ancestor__depth=1)
    elif not paths or any(len(p) > depth() * OrgUnit.steplen for p in paths):
        return None
    else:
        qs = qs.filter(ancestor__path__in=paths)
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


# ------------------------------------------------------------------ one exemplar


Key = tuple  # (unit_id, movement_id, year, kind, origin, field_id, not_built)


FIELDS = ("unit_id", "movement_id", "year", "kind", "origin", "field_id")


def _key(values: dict) -> Key | None:
    if values["deleted_at"] is not None:
        return None
    return (*(values[f] for f in FIELDS), 1 if values["status"] in NOT_BUILT else 0)


def key_of(ex: Exemplar) -> Key | None:
    """What one exemplar adds to the tally (None: it adds nothing — it is deleted)."""
    return _key({f: getattr(ex, f) for f in (*FIELDS, "deleted_at", "status")})


def stored_key(pk: int | None) -> Key | None:
    """The key of the exemplar as the database holds it now (before a save), None if new or deleted."""
    if pk is None:
        return None
    row = Exemplar.objects.filter(pk=pk).values(*FIELDS, "deleted_at", "status").first()
    return None if row is None else _key(row)


_KEY = "ancestor_id, movement_id, year, kind, origin, field_id, level_id"


def _upsert(rows_sql: str) -> str:
    """INSERT the rows (VALUES or SELECT … WHERE …) adding to the counts already there: the same statement on
    SQLite (≥ 3.24) and PostgreSQL."""
    table = SubtreeTally._meta.db_table
    return (f"INSERT INTO {table} ({_KEY}, n, not_built) {rows_sql} "
            f"ON CONFLICT ({_KEY}) DO UPDATE SET n = {table}.n + excluded.n, "
            f"not_built = {table}.not_built + excluded.not_built")


def _upsert_sql() -> str:
    """One exemplar's key added to every tallied ancestor of its unit, found from the unit's path."""
    units, step = OrgUnit._meta.db_table, OrgUnit.steplen
    prefixes = ", ".join(f"SUBSTR(u.path, 1, {d * step})" for d in range(1, depth() + 1))
    return _upsert(f"SELECT a.id, %s, %s, %s, %s, %s, u.level_id, %s, %s FROM {units} u JOIN {units} a "
                   f"ON a.path IN ({prefixes}) WHERE u.id = %s ORDER BY a.path")


def apply(old: Key | None, new: Key | None) -> None:
    """Move one exemplar's count from `old` to `new` in every tallied ancestor (nothing if they are equal)."""
    if old == new or depth() < 1:
        return
    sql = _upsert_sql()
    # Rows are locked in one order (the smaller key first, then root to province), so two saves moving counts
    # between the same two keys in opposite directions wait for each other instead of deadlocking.
    deltas = sorted(((k, sign) for k, sign in ((old, -1), (new, 1)) if k is not None), key=lambda d: repr(d[0]))
    with connection.cursor() as cur:
        for k, sign in deltas:
            unit_id, movement_id, year, kind, origin, field_id, not_built = k
            cur.execute(sql, [movement_id, year, kind, origin, field_id, sign, sign * not_built, unit_id])


def add_new(exemplars: Iterable[Exemplar]) -> None:
    """Exemplars inserted in bulk: what `apply(None, key)` does for each, one upsert per distinct key (a unit,
    movement, year, kind, origin, field and built-or-not) instead of one per exemplar."""
    if depth() < 1:
        return
    keys = Counter(k for ex in exemplars if (k := key_of(ex)) is not None)
    sql = _upsert_sql()
    with connection.cursor() as cur:
        for k, n in sorted(keys.items(), key=lambda item: repr(item[0])):  # apply's lock order
            unit_id, movement_id, year, kind, origin, field_id, not_built = k
            cur.execute(sql, [movement_id, year, kind, origin, field_id, n, n * not_built, unit_id])


# ------------------------------------------------------------------ recounting


def chain(unit: OrgUnit) -> list[int]:
    """The ids of `unit`'s tallied ancestors (itself included when it is one)."""
    step = OrgUnit.steplen
    paths = [unit.path[: d * step] for d in range(1, min(depth(), unit.depth) + 1)]
    return list(OrgUnit.objects.filter(path__in=paths).values_list("pk", flat=True))


def rebuild(ancestors: Iterable[int] | None = None, *, models=None) -> int:
    """Recount the tally of `ancestors` (unit ids; None: every tallied unit) from the exemplars. Returns rows.

    `models` (Exemplar, OrgUnit, SubtreeTally) lets the migration that creates the table pass its own."""
    ex_model: Any
    unit_model: Any
    tally_model: Any
    ex_model, unit_model, tally_model = models or (Exemplar, OrgUnit, SubtreeTally)
    ids = None if ancestors is None else sorted(set(ancestors))
    if ids == []:
        return 0
    step, made = OrgUnit.steplen, 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Saves wait while the counts are replaced, so none is counted twice or lost.
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {tally_model._meta.db_table} IN EXCLUSIVE MODE")
        old = tally_model.objects.all() if ids is None else tally_model.objects.filter(ancestor_id__in=ids)
        old.delete()
        targets = unit_model.objects.filter(depth__lte=depth())
        if ids is not None:
            targets = targets.filter(pk__in=ids)
        by_depth: dict[int, dict[str, int]] = {}
        for pk, path, d in targets.values_list("pk", "path", "depth"):
            by_depth.setdefault(d, {})[path] = pk
        for d, paths in sorted(by_depth.items()):
            qs = ex_model.objects.filter(deleted_at__isnull=True, unit__depth__gte=d)
            if ids is not None:
                within = Q()
                for p in paths:
                    within |= Q(unit__path__startswith=p)
                qs = qs.filter(within)
            grouped = qs.annotate(anc=Substr("unit__path", 1, d * step)).values("anc", "movement_id", *GROUP).annotate(
                **counts()).order_by()
            batch = [tally_model(ancestor_id=paths[r["anc"]], movement_id=r["movement_id"], year=r["year"],
                                 kind=r["kind"], origin=r["origin"], field_id=r["field_id"],
                                 level_id=r["unit__level_id"], n=r["n"], not_built=r["not_built"])
                     for r in grouped.iterator(chunk_size=5000) if r["anc"] in paths]
            tally_model.objects.bulk_create(batch, batch_size=5000)
            made += len(batch)
    return made


def refresh_units(units: Iterable[OrgUnit]) -> int:
    """Recount after `units` changed level or place: the chains they are in now, and their own subtrees'
    tallied units. The chains they were in before are the caller's (see `moved`)."""
    ids: set[int] = set()
    for u in units:
        ids.update(chain(u))
        if u.depth <= depth():
            ids.update(OrgUnit.objects.filter(path__startswith=u.path, depth__lte=depth()).values_list("pk", flat=True))
    return rebuild(ids)


def _add(ancestor_ids: Iterable[int], groups: list[dict], sign: int) -> None:
    """Add (sign 1) or take away (-1) grouped counts of exemplars to the tally of each of `ancestor_ids`."""
    sql = _upsert("VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
    params = [[a, g["movement_id"], g["year"], g["kind"], g["origin"], g["field_id"], g["unit__level_id"],
               sign * g["n"], sign * g["not_built"]] for a in ancestor_ids for g in groups]
    if params:
        with connection.cursor() as cur:
            cur.executemany(sql, params)


def _proper_chain(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[: d * step] for d in range(1, depth() + 1) if d * step < len(path)]


def moved(old_path: str, new_path: str) -> None:
    """treebeard has just moved the subtree at `old_path` to `new_path` (paths and depths updated, in the
    mover's transaction): its counts leave the tallied ancestors it left and join those it joined (a grouped
    count of the subtree alone, not a recount of the country); tallied units inside it are recounted."""
    unit = OrgUnit.objects.filter(path=new_path).first()
    if unit is None or depth() < 1:
        return
    before = set(OrgUnit.objects.filter(path__in=_proper_chain(old_path)).values_list("pk", flat=True))
    after = set(OrgUnit.objects.filter(path__in=_proper_chain(new_path)).values_list("pk", flat=True))
    if before != after:
        groups = list(Exemplar.objects.alive().filter(unit__path__startswith=new_path).values(
            "movement_id", *GROUP).annotate(**counts()).order_by())
        _add(sorted(before - after), groups, -1)
        _add(sorted(after - before), groups, 1)
    inside = OrgUnit.objects.filter(path__startswith=new_path)
    # Tallied units inside (a province moved, say) are recounted; those now too deep lose their rows.
    ids = set(inside.filter(depth__lte=depth()).values_list("pk", flat=True))
    ids.update(inside.filter(pk__in=SubtreeTally.objects.values("ancestor_id")).values_list("pk", flat=True))
    rebuild(ids)
