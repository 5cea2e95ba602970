"""Reads of the organisation tree that many pages repeat, kept in the shared cache until the tree changes
(`core.sharedcache`, group "org": any write to an `orgs_*` table)."""

from __future__ import annotations

from datetime import date

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count
from django.db.models.functions import Substr

from danvan.foundation import sharedcache

from .models import Level, OrgUnit


def levels() -> dict[int, Level]:
    """Every level by id, in the levels' order (rank, code)."""
    return sharedcache.remember("levels", "org", lambda: {lv.pk: lv for lv in Level.objects.using(DEFAULT_DB_ALIAS)})


def children(node: OrgUnit) -> list[OrgUnit]:
    """`node`'s direct children in tree order, with their level."""
    return sharedcache.remember(f"children:{node.pk}", "org", lambda: list(
        OrgUnit.objects.using(DEFAULT_DB_ALIAS).filter(path__startswith=node.path, depth=node.depth + 1)
        .select_related("level").order_by("path")))


def working_children(units, on: date | None = None) -> dict[str, int]:
    """Per unit (by path), its children still working on `on` (today): one grouped query per depth and chunk of
    paths, whatever the number of units — the tree page's count and the reorganisation plan's."""
    out: dict[str, int] = {}
    by_depth: dict[int, list[str]] = {}
    for u in units:
        by_depth.setdefault(u.depth, []).append(u.path)
    for depth, paths in by_depth.items():
        for i in range(0, len(paths), 900):  # SQLite's bound on query parameters
            out.update(OrgUnit.objects.filter(OrgUnit.active_q(on), depth=depth + 1)
                       .annotate(parent_path=Substr("path", 1, OrgUnit.steplen * depth))
                       .filter(parent_path__in=paths[i: i + 900])
                       .order_by().values("parent_path").annotate(n=Count("pk")).values_list("parent_path", "n"))
    return out


def ancestors(node: OrgUnit) -> list[OrgUnit]:
    """`node`'s ancestors from the root down (the breadcrumbs)."""
    return sharedcache.remember(f"ancestors:{node.pk}", "org",
                                lambda: list(OrgUnit.objects.get_ancestors(node).using(DEFAULT_DB_ALIAS)))
