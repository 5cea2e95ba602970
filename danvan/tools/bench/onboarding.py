"""Benchmark of onboarding: `danvan bench onboarding` — a 50,000-unit tree and 100,000 people from CSV files.

Runs the same `preview_*`/`apply_*` the pages and the CLI use (invitation e-mails not sent: that is the
task worker's job after the commit), in the current database, under a fresh code prefix.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model

from danvan.onboarding import importing, people_import, tree_import
from danvan.onboarding.tables import write_csv
from danvan.orgs.models import Level, OrgUnit, UnitKind

TARGET_SECONDS = 120.0


def tree_rows(prefix: str, units: int) -> list[list[str]]:
    """A province: board › 40 branches › communes › cells, `units` rows in all."""
    rows = [[f"{prefix}BDV", "Ban Dân vận Tỉnh ủy thử nghiệm", "", "tinh", "ban-dang", "BAN DÂN VẬN",
             "TỈNH ỦY THỬ NGHIỆM", "BDVTU", "Thử nghiệm", "", "party"]]
    n, branch = 1, 0
    while n < units:
        b = f"{prefix}H{branch:03d}"
        rows.append([b, f"Đảng bộ khối số {branch + 1}", f"{prefix}BDV", "tinh", "dang-bo", "", "", "", "", "",
                     "party"])
        n += 1
        c = 0
        while n < units and c < 250:
            x = f"{b}-X{c:03d}"
            rows.append([x, f"Đảng ủy xã số {c + 1}, khối {branch + 1}", b, "co-so", "xa", "", "", "", "", "",
                         "party"])
            n += 1
            for k in range(4):
                if n >= units:
                    break
                rows.append([f"{x}-C{k}", f"Chi bộ thôn {k + 1}, xã {c + 1}", x, "co-so", "chi-bo", "", "", "", "",
                             "", "party"])
                n += 1
            c += 1
        branch += 1
    return rows


def bench_onboarding(units: int = 50_000, people: int = 100_000) -> dict:
    from danvan.ops.demo import KINDS, LEVELS

    for code, name, rank in LEVELS:
        Level.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    for code, name in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name})
    User = get_user_model()
    by, _ = User.objects.get_or_create(username="bench.onboarding", defaults={"is_superuser": True})
    prefix = f"B{int(time.time())}-"
    t0 = time.perf_counter()
    trows = tree_rows(prefix, units)
    tree_csv = write_csv(importing.headers(importing.TREE_COLUMNS, importing.TREE_LABELS), trows)
    codes = [r[0] for r in trows]
    prows = [[f"{prefix.lower()}u{i}", f"Người dùng số {i}", f"{prefix.lower()}u{i}@bench.local",
              codes[i % len(codes)], "officer" if i % 10 else "leader", "Cán bộ"] for i in range(people)]
    people_csv = write_csv(importing.headers(importing.PEOPLE_COLUMNS, importing.PEOPLE_LABELS), prows)
    built = time.perf_counter() - t0

    t1 = time.perf_counter()
    tree = tree_import.apply_tree(tree_csv, "cay.csv", by=by)
    t_tree = time.perf_counter() - t1
    t2 = time.perf_counter()
    ppl = people_import.apply_people(people_csv, "nguoi-dung.csv", by=by, send_invites=False)
    t_people = time.perf_counter() - t2
    t3 = time.perf_counter()
    again = tree_import.preview_tree(tree_csv, "cay.csv", by=by)
    t_again = time.perf_counter() - t3
    root = OrgUnit.objects.get(code=f"{prefix}BDV")
    t4 = time.perf_counter()
    exported = tree_import.export_tree(root, "csv")
    t_export = time.perf_counter() - t4
    total = t_tree + t_people
    return {
        "units": tree.created, "people": ppl.created, "tree_csv_bytes": len(tree_csv),
        "people_csv_bytes": len(people_csv), "build_files_seconds": round(built, 2),
        "import_tree_seconds": round(t_tree, 2), "import_people_seconds": round(t_people, 2),
        "reimport_preview_seconds": round(t_again, 2), "reimport_changes": again.changes,
        "export_seconds": round(t_export, 2), "round_trip_equal": exported == tree_csv,
        "seconds": round(total, 2), "target_seconds": TARGET_SECONDS, "meets_target": total < TARGET_SECONDS,
    }
