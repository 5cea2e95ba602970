"""One place that turns a request for a document into bytes, for pages and CLI alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs import permissions
from danvan.orgs.permissions import Actor

from . import (
    PdfUnavailable,
    blank_form,
    form_docx_bytes,
    form_xlsx_bytes,
    letter_bytes,
    simple_table_docx_bytes,
    simple_table_xlsx_bytes,
    to_pdf,
)
from . import from_data as fd

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class DocumentError(Exception):
    """A Vietnamese message for the user (unsupported format, no LibreOffice…) with a stable code for the API."""

    def __init__(self, message: str, code: str = "document_error") -> None:
        super().__init__(message)
        self.code = code


class NoSuchDocument(LookupError):
    """No such document here (unknown name, or not the user's to see): a 404 on pages and in the API."""


@dataclass
class Rendered:
    data: bytes
    filename: str
    fmt: str
    mime: str = ""

    @property
    def content_type(self) -> str:
        return self.mime or MIME[self.fmt]


def docx_to_pdf(docx: bytes) -> bytes:
    try:
        return to_pdf(docx, "docx")
    except PdfUnavailable as exc:
        raise DocumentError(str(exc), "pdf_unavailable") from exc


def need_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise DocumentError(f"Văn bản này chỉ xuất được dạng {', '.join(allowed)}.", "unsupported_format")


def consolidated(sub: Submission, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx", "pdf"))
    name = f"dang-ky-{sub.unit.code}-{sub.round.year}"
    if fmt == "xlsx":
        return Rendered(form_xlsx_bytes(fd.form_only(sub)), f"{name}.xlsx", fmt)
    docx = letter_bytes(fd.consolidated_registration(sub))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"{name}.{fmt}", fmt)


def dossier_list(sub: Submission, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "xlsx"))
    table = fd.dossier_list(sub)
    data = simple_table_xlsx_bytes(table) if fmt == "xlsx" else simple_table_docx_bytes(table)
    return Rendered(data, f"danh-sach-{sub.unit.code}-{sub.round.year}.{fmt}", fmt)


def launch(rnd: RegistrationRound, fmt: str) -> Rendered:
    need_format(fmt, ("docx", "pdf"))
    docx = letter_bytes(fd.launch_letter(rnd))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"phat-dong-{rnd.issuer.code}-{rnd.year}.{fmt}", fmt)


def reminder(rnd: RegistrationRound, lagging: list[Submission], fmt: str) -> Rendered:
    need_format(fmt, ("docx", "pdf"))
    docx = letter_bytes(fd.reminder_letter(rnd, lagging))
    return Rendered(docx_to_pdf(docx) if fmt == "pdf" else docx, f"don-doc-{rnd.issuer.code}-{rnd.year}.{fmt}", fmt)


BLANK_FORMATS = ("docx", "xlsx")


def blank(fmt: str) -> Rendered:
    need_format(fmt, BLANK_FORMATS)
    spec = blank_form()
    data = form_xlsx_bytes(spec) if fmt == "xlsx" else form_docx_bytes(spec)
    return Rendered(data, f"bieu-mau-dang-ky-mo-hinh.{fmt}", fmt)


# ---- which documents exist, and the one path pages and API take to get them ----------------------

@dataclass(frozen=True)
class DocumentKind:
    which: str
    title: str
    formats: tuple[str, ...]
    make: Callable[..., Rendered] = field(compare=False, repr=False)


SUBMISSION_DOCUMENTS = {d.which: d for d in (
    DocumentKind("dang-ky", "Công văn đăng ký kèm Biểu số 2", ("docx", "xlsx", "pdf"), consolidated),
    DocumentKind("danh-sach", "Danh sách tập thể và cá nhân đăng ký", ("docx", "xlsx"), dossier_list),
)}
ROUND_DOCUMENTS = {d.which: d for d in (
    DocumentKind("phat-dong", "Công văn phát động kèm biểu mẫu trống", ("docx", "pdf"), launch),
    DocumentKind("don-doc", "Công văn đôn đốc các đơn vị chưa gửi", ("docx", "pdf"), reminder),
)}


def submission_documents(sub: Submission) -> list[DocumentKind]:
    return list(SUBMISSION_DOCUMENTS.values())


def runs_in_background(sub: Submission) -> bool:
    """Thousands of rows are built by the worker, not in the request."""
    return sub.items.count() >= settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS


def submission_document(user: Actor, sub: Submission, which: str, fmt: str):
    """A submission's document for `user` (already allowed to see `sub`): the file now (`Rendered`), or for a
    large submission the `GeneratedDocument` job the worker builds (an unfinished one of the same user is reused).

    Unknown `which`/`fmt` → NoSuchDocument; a format this document does not have → DocumentError.
    """
    from .models import GeneratedDocument, JobStatus
    from .tasks import MAKERS, build_document

    if which not in MAKERS or fmt not in MIME:
        raise NoSuchDocument(which)
    kind = SUBMISSION_DOCUMENTS.get(which)
    if kind is not None:
        need_format(fmt, kind.formats)
    if runs_in_background(sub):
        job = GeneratedDocument.objects.filter(
            submission=sub, which=which, fmt=fmt, requested_by_id=user.pk,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
        if job is not None and expire_if_stale(job):
            job = None  # its worker died: this request builds it anew
        if job is None:
            job = GeneratedDocument.objects.create(submission=sub, which=which, fmt=fmt, requested_by=permissions.author(user),
                                                   stage="Đang chờ đến lượt")
            build_document.enqueue(job.pk)
        return job
    return MAKERS[which](sub, fmt)


def round_documents(user: Actor, rnd: RegistrationRound) -> list[DocumentKind]:
    return [d for d in ROUND_DOCUMENTS.values()
            if d.which != "don-doc" or permissions.can_issue(user, rnd.issuer)]


def round_document(user: Actor, rnd: RegistrationRound, which: str, fmt: str,
                   submission_ids: list[int] | None = None) -> Rendered:
    """A round's letter for `user` (already allowed to see `rnd`); the reminder is for its issuer only and names
    the lagging units (`submission_ids` narrows them)."""

    if which == "phat-dong":
        return launch(rnd, fmt)
    if which == "don-doc":
        if not permissions.can_issue(user, rnd.issuer):
            raise NoSuchDocument(which)
        return lagging_reminder(rnd, fmt, submission_ids)
    raise NoSuchDocument(which)


def lagging_reminder(rnd: RegistrationRound, fmt: str, submission_ids: list[int] | None = None) -> Rendered:
    """The reminder letter naming the round's lagging units in tree order (`submission_ids` narrows them);
    refused in Vietnamese when none lags. Page, API and `danvan export reminder` alike."""
    from danvan.movement import services as round_services

    lagging = round_services.lagging(rnd).select_related("unit").order_by("unit_path")
    chosen = list(lagging.filter(pk__in=submission_ids) if submission_ids else lagging)
    if not chosen:
        raise DocumentError("Không có đơn vị nào chậm: mọi đơn vị đã gửi đăng ký.", "nothing_lagging")
    return reminder(rnd, chosen, fmt)


def requester_job(user: Actor, pk: int):
    """A background document job, visible to the user who asked for it and nobody else — and only while they still
    see its submission: a role revoked since the request takes the file away too."""
    from danvan.movement.selectors import visible_submissions

    from .models import GeneratedDocument

    job = GeneratedDocument.objects.select_related("submission__unit", "submission__round").filter(
        pk=pk, requested_by_id=user.pk).first()
    if job is None or not visible_submissions(user).filter(pk=job.submission_id).exists():
        raise NoSuchDocument(pk)
    expire_if_stale(job)
    return job


def stale_message() -> str:
    minutes = max(1, round(settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS / 60))
    return (f"Tiến trình nền đã dừng giữa chừng khi tạo văn bản này (quá {minutes} phút không có tín hiệu). "
            "Hãy tải lại văn bản: hệ thống sẽ tạo lại từ đầu.")


def stale_jobs():
    """Running document jobs whose worker sent no heartbeat for ``DANVAN_DOCUMENT_JOB_STALE_SECONDS``: dead."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import GeneratedDocument, JobStatus

    cutoff = timezone.now() - timedelta(seconds=settings.DANVAN_DOCUMENT_JOB_STALE_SECONDS)
    return GeneratedDocument.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff), status=JobStatus.RUNNING)


def expire_if_stale(job) -> bool:
    """Mark `job` failed with a Vietnamese message when its worker died (one conditional UPDATE: a job that beats
    again in between is left alone); True when it was."""
    from django.utils import timezone

    from .models import JobStatus

    if job.status != JobStatus.RUNNING:
        return False
    if not stale_jobs().filter(pk=job.pk).update(status=JobStatus.FAILED, error=stale_message(),
                                                 stage="Đã dừng", finished_at=timezone.now()):
        return False
    job.refresh_from_db()
    return True


def job_ready(job) -> bool:
    from .models import JobStatus

    return job.status == JobStatus.DONE and bool(job.file)
