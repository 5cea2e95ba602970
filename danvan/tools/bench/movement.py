"""`danvan bench completeness`: a round targeting a whole (synthetic) country, timed at the root and mid-level."""

from __future__ import annotations

import datetime
import time

from django.test import Client
from django.utils import timezone

from danvan.exemplars.models import Movement
from danvan.foundation.timing import median_seconds
from danvan.movement import selectors
from danvan.movement.models import RegistrationRound, TargetMode
from danvan.orgs.models import Membership, OrgUnit, Role


def bench_completeness(repeat: int = 5) -> dict:
    from django.contrib.auth import get_user_model

    root = OrgUnit.objects.filter(depth=1).order_by("-numchild").first()
    if root is None:
        raise RuntimeError("Cơ sở dữ liệu chưa có cây đơn vị; hãy chạy `danvan generate` trước.")
    user, _ = get_user_model().objects.get_or_create(username="bench.board", defaults={"is_active": True})
    Membership.objects.get_or_create(user=user, unit=root, role=Role.BOARD)
    found = RegistrationRound.objects.filter(issuer=root, title="Đợt đo hiệu năng").first()
    launch_s: float | None = None
    if found is None:
        from danvan.movement.services import launch_round

        movement = Movement.objects.order_by("-period_start").first()
        if movement is None:
            raise RuntimeError("Chưa có phong trào nào; hãy chạy `danvan generate` trước.")
        t0 = time.perf_counter()
        found = launch_round(issuer=root, by=user, movement=movement,
                           year=2025, title="Đợt đo hiệu năng", deadline=timezone.now() + datetime.timedelta(days=7),
                           target_mode=TargetMode.SUBTREE).obj
        launch_s = time.perf_counter() - t0
    rnd: RegistrationRound = found
    _mark_progress(rnd)
    mid = OrgUnit.objects.filter(path__startswith=root.path, depth=root.depth + 2, numchild__gt=0).order_by(
        "-numchild").first() or root
    province = OrgUnit.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("-numchild").first()
    client = Client()
    client.force_login(user)

    def timed(fn) -> float:
        return median_seconds(fn, repeat)

    def page(node):
        resp = client.get(f"/dot-dang-ky/{rnd.pk}/?don_vi={node.code}")
        assert resp.status_code == 200, resp.status_code

    root_page = timed(lambda: page(root))
    mid_page = timed(lambda: page(mid))
    province_page = timed(lambda: page(province or root))
    root_query = timed(lambda: selectors.completeness(rnd, root))
    return {
        "targets": rnd.submissions.count(),
        "launch_seconds": round(launch_s, 2) if launch_s is not None else None,
        "root_page_seconds": round(root_page, 3), "root_page_target": 1.0,
        "mid_page_seconds": round(mid_page, 3), "mid_page_target": 0.2, "mid_unit": mid.code,
        "province_page_seconds": round(province_page, 3), "province_unit": (province or root).code,
        "root_query_seconds": round(root_query, 3),
    }


def _mark_progress(rnd: RegistrationRound) -> None:
    """Give the benchmark round a realistic mix of states (every 3rd sent, every 7th late)."""
    from danvan.movement.models import Status, Submission

    if rnd.submissions.exclude(status=Status.NOT_STARTED).exists():
        return
    ids = list(rnd.submissions.values_list("pk", flat=True))
    Submission.objects.filter(pk__in=ids[::3]).update(status=Status.SUBMITTED, submitted_at=timezone.now(),
                                                      below_quota=False)
    Submission.objects.filter(pk__in=ids[::7]).update(is_late=True)
    Submission.objects.filter(pk__in=ids[1::5]).update(status=Status.DRAFT)
