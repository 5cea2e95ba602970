"""/healthz for load balancers: "ok" or "down" (503), nothing else — anyone may ask.

/healthz/chi-tiet is the same check with every part's figures and errors (database, task worker queue, storage),
answered only to this machine (the monitoring agent) or a superuser: an error names the database's host, port and
role. It also counts stuck jobs — document jobs whose worker stopped beating (`documents.services.stale_jobs`) and
worker tasks "running" longer than ``DANVAN_HEALTH_TASK_MAX_RUNNING`` — and then says "degraded" (still 200: a dead
job is no reason to take the site out of the load balancer, so the public answer stays "ok"). The storage is written at most once a minute (`STORAGE_EVERY` seconds) per process; between probes the last
answer is reported again. /healthz/bare is a fixed response through the same stack, the baseline of the capacity
table.
"""

from __future__ import annotations

import datetime
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from danvan.foundation.clientip import client_ip

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
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    # A task waits from its enqueueing, or, when it was put off (a mail's retry, foundation/mailretry.py), from the
    # time it was due: a retry due now after two hours' wait is no sign of a stopped worker.
    due = [ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list("enqueued_at", flat=True)
           .first(),
           ready.exclude(run_after=get_date_max()).order_by("run_after").values_list("run_after", flat=True).first()]
    oldest = min((d for d in due if d is not None), default=None)
    age = (now - oldest).total_seconds() if oldest else 0.0
    limit = settings.HEALTH_TASK_MAX_AGE
    info = {"pending": ready.count(), "oldest_pending_seconds": round(age, 1), "max_age_seconds": limit}
    if age > limit:
        # Mail waits longer than the worker should ever take: the worker is down or stuck.
        raise RuntimeError(f"tác vụ chờ {age:.0f} giây, quá {limit} giây: tiến trình nền có thể đã dừng")
    return info


def _jobs() -> dict:
    from django_tasks_db.models import DBTaskResult

    from danvan.documents.services import stale_jobs

    since = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_TASK_MAX_RUNNING)
    info = {"stuck_documents": stale_jobs().count(),
            "stuck_tasks": DBTaskResult.objects.filter(status="RUNNING", started_at__lt=since).count(),
            "document_stale_seconds": settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS,
            "task_max_running_seconds": settings.HEALTH_TASK_MAX_RUNNING}
    if info["stuck_documents"] or info["stuck_tasks"]:
        info["warning"] = (f"{info['stuck_documents']} văn bản tạo nền và {info['stuck_tasks']} tác vụ nền bị treo: "
                           "tiến trình nền đã dừng giữa chừng")
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
    checks["jobs"] = _timed(_jobs)
    stuck = "warning" in checks["jobs"]
    return JsonResponse({"status": ("degraded" if stuck else "ok") if ok else "down", "time": timezone.now().isoformat(),
                         "checks": checks}, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain")
