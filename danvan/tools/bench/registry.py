"""Benchmark of the national registry (issue 22 §6): `danvan bench registry` — every province's commune-level
units (3,321 in the package `vietnam-provinces`) imported under a fresh root, one province at a time, through the
same `registry.registry_file` + `tree_import.apply_tree` as `danvan import-registry` and the page; then the whole
registry read again, which must change nothing.

Then the plan half: one old commune per registry unit (made by a tree import), and a nationwide reorganisation
plan of the same size — every old commune merged into a new one of its province, every tenth split between two
with share notes — previewed and applied through `plan_import` as `danvan import-plan` and the page do, then
previewed again, which must change nothing.
"""

from __future__ import annotations

import datetime
import time

from django.contrib.auth import get_user_model

from danvan.onboarding import plan_import, registry, tree_import
from danvan.onboarding.importing import (
    PLAN_COLUMNS,
    PLAN_LABELS,
    TREE_COLUMNS,
    TREE_LABELS,
    headers,
)
from danvan.onboarding.tables import write_csv
from danvan.orgs.models import Level, OrgUnit, UnitKind

TARGET_SECONDS = 60.0
PLAN_TARGET_SECONDS = 300.0


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
    plan = _bench_plan(by, stamp, chosen, heads)
    return {
        "provinces": len(chosen), "units_expected": expected, "units_created": created,
        "import_seconds": round(t_import, 2), "units_per_second": round(created / t_import, 1) if t_import else None,
        "reimport_preview_seconds": round(t_again, 2), "reimport_changes": changes,
        "target_seconds": TARGET_SECONDS, "meets_target": t_import < TARGET_SECONDS and created == expected,
        **plan,
    }


def _bench_plan(by, stamp: int, chosen, heads) -> dict:
    old_rows, plan_rows = [], []
    for p, head in zip(chosen, heads, strict=True):
        new = [c.unit_code for c in registry.communes(p)]
        for i, code in enumerate(new):
            old = f"BR{stamp}-OLD-{p.code:02d}-{i:04d}"
            old_rows.append([old, f"Xã cũ {i + 1} {p.short_name}", head.code, "co-so", "xa"] + [""] * 6)
            if i % 10 == 9 and len(new) > 1:
                other = new[i - 1]
                plan_rows += [[old, "", code, "", "phần phía bắc", "X"], [old, "", other, "", "phần phía nam", ""]]
            else:
                plan_rows.append([old, "", code, "", "", ""])
    t0 = time.perf_counter()
    tree_import.apply_tree(write_csv(headers(TREE_COLUMNS, TREE_LABELS), old_rows), "xa-cu.csv", by=by)
    t_old = time.perf_counter() - t0
    data = write_csv(headers(PLAN_COLUMNS, PLAN_LABELS), plan_rows)
    on = datetime.date.today() - datetime.timedelta(days=1)
    t1 = time.perf_counter()
    preview = plan_import.preview_plan(data, "ke-hoach-ca-nuoc.csv", by=by, on=on)
    t_preview = time.perf_counter() - t1
    t2 = time.perf_counter()
    applied = plan_import.apply_plan(data, "ke-hoach-ca-nuoc.csv", by=by, on=on) if preview.ok else None
    t_apply = time.perf_counter() - t2
    t3 = time.perf_counter()
    again = plan_import.preview_plan(data, "ke-hoach-ca-nuoc.csv", by=by, on=on)
    t_again = time.perf_counter() - t3
    return {
        "old_units": len(old_rows), "old_units_seconds": round(t_old, 2), "plan_rows": len(plan_rows),
        "plan_ok": preview.ok, "plan_errors": preview.summary()["row_errors"][:3],
        "plan_preview_seconds": round(t_preview, 2), "plan_apply_seconds": round(t_apply, 2),
        "plan_successions": applied.successions if applied else 0,
        "plan_again_preview_seconds": round(t_again, 2), "plan_again_changes": again.changes,
        "plan_target_seconds": PLAN_TARGET_SECONDS,
        "plan_meets_target": bool(applied) and t_preview + t_apply < PLAN_TARGET_SECONDS and again.changes == 0,
    }
