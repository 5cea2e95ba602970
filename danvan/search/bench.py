"""`danvan bench search`: p50/p95 of 100 fixed queries over the current database."""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model

from danvan.core.synthetic import ACTIONS, PLACES

from .services import search

QUERIES = [a.lower() for a in ACTIONS] + [p for p in PLACES] + [
    "tiet kiem dien", "tiếp công dân", "chuyen doi so", "cai cach hanh chinh", "nong thon moi", "rac thai nhua",
    "an toan giao thong", "khuyen hoc", "hoa giai", "dan van chinh quyen", "OCOP", "ho ngheo", "ve sinh moi truong",
    "hien dat lam duong", "giai thuong chat luong", "nguoi co cong", "phong chong toi pham", "dich benh",
    "kinh te ho gia dinh", "do thi van minh",
]


def bench_search(repeat: int = 1) -> dict:
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench.admin", password=None)
    queries = (QUERIES * 4)[:100]
    times = []
    for q in queries * repeat:
        t = time.perf_counter()
        qs, _ = search(user, q)
        list(qs.select_related("unit")[:20])
        times.append(time.perf_counter() - t)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return {"queries": len(times), "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1), "p95_target_ms": 150, "max_ms": round(times[-1] * 1000, 1)}
