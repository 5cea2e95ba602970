"""Large documents are built by the task worker (`danvan db_worker`), not in the request."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone

from . import services
from .models import GeneratedDocument, JobStatus

log = logging.getLogger(__name__)
MAKERS = {which: kind.make for which, kind in services.SUBMISSION_DOCUMENTS.items()}


def _stage(job: GeneratedDocument, status: str, progress: int, stage: str) -> None:
    job.status, job.progress, job.stage = status, progress, stage
    job.save(update_fields=["status", "progress", "stage"])


@task()
def build_document(job_id: int) -> str:
    job = GeneratedDocument.objects.select_related("submission__round__issuer", "submission__unit").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job.status
    sub = job.submission
    _stage(job, JobStatus.RUNNING, 20, f"Đang đọc {sub.items.count():,} mô hình của hồ sơ".replace(",", "."))
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
