"""Reads of the organisation tree that many pages repeat, kept in the shared cache until the tree changes
(`core.sharedcache`, group "org": any write to an `orgs_*` table)."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

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


def ancestors(node: OrgUnit) -> list[OrgUnit]:
    """`node`'s ancestors from the root down (the breadcrumbs)."""
    return sharedcache.remember(f"ancestors:{node.pk}", "org",
                                lambda: list(OrgUnit.objects.get_ancestors(node).using(DEFAULT_DB_ALIAS)))
