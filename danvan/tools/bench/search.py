"""`danvan bench search`: p50/p95 of 100 fixed queries over the current database.

The headline numbers are the whole country (a superuser); `scoped` runs the 50 distinct queries as a member of the
first province (depth 2 of the tree) and the first unit of depth 3 below it that has exemplars."""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model

from danvan.exemplars.models import Exemplar
from danvan.orgs.models import Membership, OrgUnit, Role
from danvan.orgs.permissions import Actor
from danvan.search.services import search
from danvan.tools.synthetic import ACTIONS, PLACES

QUERIES = [a.lower() for a in ACTIONS] + [p for p in PLACES] + [
    "tiet kiem dien", "tiếp công dân", "chuyen doi so", "cai cach hanh chinh", "nong thon moi", "rac thai nhua",
    "an toan giao thong", "khuyen hoc", "hoa giai", "dan van chinh quyen", "OCOP", "ho ngheo", "ve sinh moi truong",
    "hien dat lam duong", "giai thuong chat luong", "nguoi co cong", "phong chong toi pham", "dich benh",
    "kinh te ho gia dinh", "do thi van minh",
]


def _timed(user: Actor, queries: list[str], base=None) -> list[float]:
    times = []
    for q in queries:
        t = time.perf_counter()
        qs, _ = search(user, q, base=base)
        list(qs.select_related("unit")[:20])
        times.append(time.perf_counter() - t)
    return sorted(times)


def _summary(times: list[float]) -> dict:
    p95 = times[int(len(times) * 0.95) - 1]
    return {"queries": len(times), "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1), "max_ms": round(times[-1] * 1000, 1)}


def _scopes() -> list[OrgUnit]:
    root = OrgUnit.objects.order_by("path").first()
    if root is None:
        return []
    province = OrgUnit.objects.filter(depth=root.depth + 1).order_by("path").first()
    if province is None:
        return []
    alive = Exemplar.objects.alive()
    below = OrgUnit.objects.filter(depth=province.depth + 1, path__startswith=province.path).order_by("path")
    lower = next((u for u in below[:50] if alive.filter(unit__path__startswith=u.path).exists()), None)
    return [province] + ([lower] if lower else [])


def bench_search(repeat: int = 1) -> dict:
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench.admin", password=None)
    times = _timed(user, (QUERIES * 4)[:100] * repeat)
    result = _summary(times) | {"p95_target_ms": 150}
    result["scoped"] = {}
    for unit in _scopes():
        # A member of the unit (its Board or office), searching their own scope as the list page does.
        member, _ = get_user_model().objects.get_or_create(username=f"bench.{unit.code.lower()}")
        Membership.objects.get_or_create(user=member, unit=unit, role=Role.BOARD)
        count = Exemplar.objects.alive().filter(unit__path__startswith=unit.path).count()
        result["scoped"][unit.code] = {"exemplars": count} | _summary(_timed(member, QUERIES))
    return result
