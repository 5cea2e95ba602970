"""`danvan bench api`: in-process latency of the main API reads for a Board over the largest tree.

No server and no network: Django's test client with a real token, so it fits `danvan bench all`.
The load on a running server is `danvan loadtest` (docs/SCALING.md).
"""

from __future__ import annotations

from django.test import Client

from danvan.foundation.timing import median_seconds


def bench_api(repeat: int = 7) -> dict:
    from django.contrib.auth import get_user_model

    from danvan.api.tokens import create_token
    from danvan.exemplars.models import Exemplar
    from danvan.orgs.models import Membership, OrgUnit, Role

    roots = list(OrgUnit.objects.filter(depth=1))
    root = max(roots, key=lambda r: OrgUnit.objects.filter(path__startswith=r.path).count(), default=None)
    if root is None:
        raise RuntimeError("Cơ sở dữ liệu chưa có cây đơn vị; hãy chạy `danvan generate` trước.")
    user, _ = get_user_model().objects.get_or_create(username="bench.board", defaults={"is_active": True})
    Membership.objects.get_or_create(user=user, unit=root, role=Role.BOARD)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='bench').secret}")
    some = Exemplar.objects.filter(unit__path__startswith=root.path).order_by("-pk").values_list("pk", flat=True)
    pk = some.first()

    def get(url: str) -> None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)

    def timed(url: str) -> float:
        return round(median_seconds(lambda: get(url), repeat) * 1000, 1)

    return {
        "exemplars_in_scope": some.count(),
        "list_50_ms": timed("/api/exemplars?limit=50"),
        "list_50_filtered_ms": timed("/api/exemplars?limit=50&year=2024&kind=collective"),
        "list_50_q_ms": timed("/api/exemplars?limit=50&q=d%C3%A2n%20v%E1%BA%ADn"),
        "detail_ms": timed(f"/api/exemplars/{pk}") if pk else None,
        "units_children_ms": timed(f"/api/units/{root.code}/children"),
        "submissions_50_ms": timed("/api/submissions?limit=50"),
    }
