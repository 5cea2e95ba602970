"""/healthz for load balancers: "ok" or "down" (503), nothing else — anyone may ask.

/healthz/chi-tiet is the same check with every part's figures and errors (database, task worker queue, storage),
answered only to this machine (the monitoring agent) or a superuser: an error names the database's host, port and
role. The storage is written at most once a minute (`STORAGE_EVERY` seconds) per process; between probes the last
answer is reported again. /healthz/bare is a fixed response through the same stack, the baseline of the capacity
table.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .clientip import client_ip

STORAGE_EVERY = 60.0
LOOPBACK = {"127.0.0.1", "::1"}
_last_storage: dict = {}


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


def _write_storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return {"backend": type(default_storage._wrapped).__name__}  # type: ignore[attr-defined]


def _storage() -> dict:
    """The last write probe's answer while it is younger than STORAGE_EVERY seconds, else a new probe."""
    now = time.monotonic()
    if not _last_storage or now - _last_storage["at"] >= STORAGE_EVERY:
        _last_storage.update(at=now, result=_timed(_write_storage))
    return {**_last_storage["result"], "age_seconds": round(now - _last_storage["at"], 1)}


def report() -> tuple[bool, dict]:
    checks = {"database": _timed(_database), "tasks": _timed(_tasks), "storage": _storage()}
    return all(c["ok"] for c in checks.values()), checks


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    ok, _ = report()
    return JsonResponse({"status": "ok" if ok else "down"}, status=200 if ok else 503)


@never_cache
def details(request: HttpRequest) -> JsonResponse:
    user = getattr(request, "user", None)
    if client_ip(request) not in LOOPBACK and not (user and user.is_superuser):
        raise Http404
    ok, checks = report()
    return JsonResponse({"status": "ok" if ok else "down", "time": timezone.now().isoformat(), "checks": checks},
                        status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain")
