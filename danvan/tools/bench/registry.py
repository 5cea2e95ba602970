"""Benchmark of the national registry (issue 22 §6): `danvan bench registry` — every province's commune-level
units (3,321 in the package `vietnam-provinces`) imported under a fresh root, one province at a time, through the
same `registry.registry_file` + `tree_import.apply_tree` as `danvan import-registry` and the page; then the whole
registry read again, which must change nothing.

The reorganisation plan half of §6 waits for the plan import (issue 22 §2).
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model

from danvan.onboarding import registry, tree_import
from danvan.orgs.models import Level, OrgUnit, UnitKind

TARGET_SECONDS = 60.0


def bench_registry(provinces: int = 0) -> dict:
    from danvan.ops.demo import KINDS, LEVELS

    for code, name, rank in LEVELS:
        Level.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    for code, name in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name})
    by, _ = get_user_model().objects.get_or_create(username="bench.registry", defaults={"is_superuser": True})
    tinh, coso = Level.objects.get(code="tinh"), Level.objects.get(code="co-so")
    kind = UnitKind.objects.get(code="ban-dang")
    stamp = int(time.time())
    root = OrgUnit.objects.add_root(create_kwargs={
        "code": f"BR{stamp}", "name": "Cả nước (thử nghiệm)", "level": tinh, "kind": kind})
    chosen = registry.provinces()[: provinces or None]
    heads = [OrgUnit.objects.add_child(root, create_kwargs={
        "code": f"BR{stamp}-{p.code:02d}", "name": p.name, "level": tinh, "kind": kind}) for p in chosen]

    t0 = time.perf_counter()
    created = 0
    for p, head in zip(chosen, heads, strict=True):
        data, name = registry.registry_file(str(p.code), head.code, level_code=coso.code)
        created += tree_import.apply_tree(data, name, by=by).created
    t_import = time.perf_counter() - t0

    t1 = time.perf_counter()
    changes = 0
    for p, head in zip(chosen, heads, strict=True):
        data, name = registry.registry_file(str(p.code), head.code, level_code=coso.code)
        changes += tree_import.preview_tree(data, name, by=by).changes
    t_again = time.perf_counter() - t1
    expected = sum(len(registry.communes(p)) for p in chosen)
    return {
        "provinces": len(chosen), "units_expected": expected, "units_created": created,
        "import_seconds": round(t_import, 2), "units_per_second": round(created / t_import, 1) if t_import else None,
        "reimport_preview_seconds": round(t_again, 2), "reimport_changes": changes,
        "target_seconds": TARGET_SECONDS, "meets_target": t_import < TARGET_SECONDS and created == expected,
    }
