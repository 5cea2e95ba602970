"""/healthz for load balancers and monitoring: database, task worker queue, storage. 503 when down.

/healthz/bare is a fixed response through the same stack, the baseline of the capacity table.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


def _timed(check) -> dict:
    start = time.perf_counter()
    try:
        result = {"ok": True, **(check() or {})}
    except Exception as exc:  # a health check reports every failure, it never raises
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _tasks() -> dict:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status="READY", run_after__lte=timezone.now())
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    limit = settings.HEALTH_TASK_MAX_AGE
    info = {"pending": ready.count(), "oldest_pending_seconds": round(age, 1), "max_age_seconds": limit}
    if age > limit:
        # Mail waits longer than the worker should ever take: the worker is down or stuck.
        raise RuntimeError(f"tác vụ chờ {age:.0f} giây, quá {limit} giây: tiến trình nền có thể đã dừng")
    return info


def _storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return {"backend": type(default_storage._wrapped).__name__}  # type: ignore[attr-defined]


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database), "tasks": _timed(_tasks), "storage": _timed(_storage)}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "down", "time": timezone.now().isoformat(), "checks": checks},
                        status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain")
