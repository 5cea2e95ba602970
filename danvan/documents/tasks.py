"""Large documents are built by the task worker (`danvan db_worker`), not in the request.

While a job builds, a heartbeat thread writes `heartbeat_at` every quarter of ``DANVAN_DOCUMENT_JOB_STALE_SECONDS``
(at most 30 s): a worker killed mid-job stops beating, and `services.expire_if_stale` then marks the job failed and
the next request builds it anew.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.tasks import task
from django.utils import timezone

from danvan.foundation.numbers import number

from . import services
from .models import GeneratedDocument, JobStatus

log = logging.getLogger(__name__)
MAKERS = {which: kind.make for which, kind in services.SUBMISSION_DOCUMENTS.items()}


def _stage(job: GeneratedDocument, status: str, progress: int, stage: str) -> None:
    job.status, job.progress, job.stage, job.heartbeat_at = status, progress, stage, timezone.now()
    job.save(update_fields=["status", "progress", "stage", "heartbeat_at"])


def beat(job_id: int) -> int:
    """One heartbeat of a running job (1 when written)."""
    return GeneratedDocument.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def beat_every() -> float:
    return max(0.05, min(30.0, settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS / 4))


def _may_beat() -> bool:
    """Inside a transaction (the immediate backend of the tests) the job's row is not visible to another
    connection: no thread then."""
    return not connection.in_atomic_block


class _Heartbeat:
    """Beats in a thread of its own (its own database connection) while the build runs in this one."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.stop = job_id, threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Heartbeat:
        if _may_beat():
            self.thread = threading.Thread(target=self._run, name=f"heartbeat-{self.job_id}", daemon=True)
            self.thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self.stop.wait(beat_every()):
                try:
                    beat(self.job_id)
                except Exception:  # a missed beat is retried; a worker that is really gone stops beating anyway
                    log.warning("heartbeat of document job %s failed", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


@task()
def build_document(job_id: int) -> str:
    job = GeneratedDocument.objects.select_related("submission__round__issuer", "submission__unit").get(pk=job_id)
    if job.status in (JobStatus.DONE, JobStatus.FAILED):  # done, or given up as dead and built anew elsewhere
        return job.status
    sub = job.submission
    _stage(job, JobStatus.RUNNING, 20, f"Đang đọc {number(sub.items.count())} mô hình của hồ sơ")
    with _Heartbeat(job.pk):
        try:
            _stage(job, JobStatus.RUNNING, 50, "Đang dựng văn bản")
            doc = MAKERS[job.which](sub, job.fmt)
            _stage(job, JobStatus.RUNNING, 90, "Đang lưu tệp")
            job.file.save(doc.filename, ContentFile(doc.data), save=False)
            job.filename, job.status, job.progress, job.stage = doc.filename, JobStatus.DONE, 100, "Đã xong"
        except services.DocumentError as exc:
            job.status, job.error = JobStatus.FAILED, str(exc)
        except Exception:  # the requester gets a message, the log gets the traceback
            log.exception("build_document %s failed", job_id)
            job.status, job.error = JobStatus.FAILED, "Không tạo được văn bản; hãy thử lại hoặc báo quản trị hệ thống."
    job.finished_at = timezone.now()
    job.save()
    return job.status
