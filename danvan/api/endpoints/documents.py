"""Documents of a submission or a round (Word/Excel/PDF) and the background jobs of large submissions.

Everything goes through danvan.documents.services, the path the pages take: the same catalogue of documents,
the same threshold for building in the worker, the same "only the requester sees the job".
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from multidb import db_write
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from danvan.documents import register, services
from danvan.documents.models import GeneratedDocument, OutgoingEntry
from danvan.foundation import downloads
from danvan.movement import selectors

from ..errors import ApiError
from ..schemas import StrictIn
from .common import ERRORS, ok

router = Router(tags=["Văn bản"])

BINARY = {"type": "string", "format": "binary"}


def file_responses(formats: dict[str, str], description: str) -> dict:
    """OpenAPI for a 200 that is a file, not JSON (ninja only describes JSON bodies)."""
    content = {mime: {"schema": {"type": "object"} if mime == "application/json" else BINARY}
               for mime in formats.values()}
    return {"responses": {200: {"description": description, "content": content}}}


class DocumentLink(Schema):
    which: str = Field(description="Mã văn bản, dùng trong đường dẫn tải về")
    title: str
    formats: list[str]
    urls: dict[str, str] = Field(description="Định dạng → đường dẫn tải về trong API")


class DocumentList(Schema):
    items: list[DocumentLink]
    background: bool = Field(False, description="Hồ sơ lớn: tải về trả 202 kèm việc tạo nền thay vì tệp")


class JobOut(Schema):
    id: int
    submission: int
    which: str
    fmt: str
    state: str = Field(description="queued, running, done hoặc failed")
    state_label: str
    progress: int
    stage: str
    error: str
    filename: str
    status_url: str
    file_url: str | None = Field(description="Có khi state là done")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class ReminderQuery(Schema):
    submission: list[Annotated[int, Field(ge=1, le=2**62)]] = Field([], description="Chỉ đôn đốc các hồ sơ này (mặc định: mọi đơn vị chậm)")


def document_error(exc: services.DocumentError) -> ApiError:
    # Unsupported format, PDF without LibreOffice, nobody lagging: the page's message, with a stable code.
    status = 409 if exc.code == "nothing_lagging" else 400
    return ApiError(status, exc.code, str(exc))


def no_such_document() -> ApiError:
    return ApiError(404, "not_found", "Không có văn bản này.")


def file_response(doc: services.Rendered) -> HttpResponse:
    return downloads.data_response(doc.data, doc.filename, doc.content_type)


def job_out(job: GeneratedDocument) -> dict:
    base = f"/api/documents/jobs/{job.pk}"
    return {
        "id": job.pk, "submission": job.submission_id, "which": job.which, "fmt": job.fmt, "state": job.status,
        "state_label": job.get_status_display(), "progress": job.progress, "stage": job.stage, "error": job.error,
        "filename": job.filename, "status_url": base, "file_url": f"{base}/file" if services.job_ready(job) else None,
        "created_at": job.created_at, "finished_at": job.finished_at,
    }


def _links(prefix: str, kinds: list[services.DocumentKind]) -> list[dict]:
    return [{"which": k.which, "title": k.title, "formats": list(k.formats),
             "urls": {fmt: f"{prefix}/{k.which}.{fmt}" for fmt in k.formats}} for k in kinds]


# ---- submission ----------------------------------------------------------------------------------

def _sub(request: HttpRequest, pk: int):
    qs = selectors.visible_submissions(request.user).select_related("round__issuer", "unit")
    return get_object_or_404(qs, pk=pk)


@router.get("/submissions/{pk}/documents", response=ok(DocumentList),
            summary="Các văn bản tải về được của một hồ sơ đăng ký")
def submission_documents(request: HttpRequest, pk: int):
    sub = _sub(request, pk)
    return {"items": _links(f"/api/submissions/{sub.pk}/documents", services.submission_documents(sub)),
            "background": services.runs_in_background(sub)}


@router.get("/submissions/{pk}/documents/{which}.{fmt}", response={202: JobOut, **ERRORS},
            summary="Tải văn bản của hồ sơ (dang-ky: công văn kèm Biểu số 2; danh-sach: danh sách); "
                    "hồ sơ lớn: 202 và việc tạo nền",
            openapi_extra=file_responses(services.MIME, "Tệp Word/Excel/PDF"))
@decorate_view(db_write)  # may queue a job: its status is then read from the primary
def submission_document(request: HttpRequest, pk: int, which: str, fmt: str):
    sub = _sub(request, pk)
    try:
        doc = services.submission_document(request.user, sub, which, fmt)
    except services.NoSuchDocument:
        raise no_such_document() from None
    except services.DocumentError as exc:
        raise document_error(exc) from None
    if isinstance(doc, GeneratedDocument):
        return Status(202, job_out(doc))
    return file_response(doc)


@router.get("/documents/jobs/{pk}", response=ok(JobOut),
            summary="Tiến độ một việc tạo văn bản nền (chỉ người yêu cầu xem được)")
def job_status(request: HttpRequest, pk: int):
    try:
        return job_out(services.requester_job(request.user, pk))
    except services.NoSuchDocument:
        raise no_such_document() from None


@router.get("/documents/jobs/{pk}/file", response=ERRORS,
            summary="Tải tệp của việc tạo văn bản nền đã xong (chỉ người yêu cầu)",
            openapi_extra=file_responses(services.MIME, "Tệp Word/Excel/PDF"))
def job_file(request: HttpRequest, pk: int):
    try:
        job = services.requester_job(request.user, pk)
    except services.NoSuchDocument:
        raise no_such_document() from None
    if not services.job_ready(job):
        raise ApiError(404, "not_ready", "Văn bản chưa tạo xong (hoặc tạo không thành công): xem tiến độ.",
                       {"status_url": f"/api/documents/jobs/{job.pk}"})
    return downloads.file_response(job.file.open("rb"), job.filename, services.MIME[job.fmt])


# ---- the blank registration form -----------------------------------------------------------------

@router.get("/documents/blank-form.{fmt}", response=ERRORS,
            summary="Tải biểu mẫu đăng ký mô hình trống (docx hoặc xlsx), như trang bieu-mau-trong",
            openapi_extra=file_responses({f: services.MIME[f] for f in services.BLANK_FORMATS}, "Tệp Word/Excel"))
def blank_form(request: HttpRequest, fmt: str):
    try:
        return file_response(services.blank(fmt))
    except services.DocumentError as exc:
        raise document_error(exc) from None


# ---- round ---------------------------------------------------------------------------------------

def _round(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.visible_rounds(request.user).select_related("issuer"), pk=pk)


@router.get("/rounds/{pk}/documents", response=ok(DocumentList), summary="Các văn bản tải về được của một đợt")
def round_documents(request: HttpRequest, pk: int):
    rnd = _round(request, pk)
    return {"items": _links(f"/api/rounds/{rnd.pk}/documents", services.round_documents(request.user, rnd))}


@router.get("/rounds/{pk}/documents/{which}.{fmt}", response=ERRORS,
            summary="Tải văn bản của đợt (phat-dong: công văn phát động; don-doc: công văn đôn đốc, "
                    "chỉ đơn vị phát động)",
            openapi_extra=file_responses({f: services.MIME[f] for f in ("docx", "pdf")}, "Tệp Word/PDF"))
def round_document(request: HttpRequest, pk: int, which: str, fmt: str, q: Query[ReminderQuery]):
    rnd = _round(request, pk)
    try:
        return file_response(services.round_document(request.user, rnd, which, fmt, q.submission))
    except services.NoSuchDocument:
        raise no_such_document() from None
    except services.DocumentError as exc:
        raise document_error(exc) from None


# ---- the outgoing register (issue 19 §1) -----------------------------------------------------------

class OutgoingOut(Schema):
    id: int
    unit: str = Field(description="Mã đơn vị giữ sổ")
    year: int
    number: int
    code: str = Field(description="Số, ký hiệu in trên văn bản, ví dụ 05/SKHCN-VP hoặc 05-CV/BDVTU")
    kind: str
    issued_on: datetime.date
    subject: str
    recipients: str
    submission: int | None
    sha256: str = Field(description="SHA-256 của tệp đã ban hành")
    file_url: str | None
    issued_by: str
    issued_at: datetime.datetime
    withdrawn: bool
    withdrawn_at: datetime.datetime | None
    withdraw_reason: str


class OutgoingPage(Schema):
    unit: str
    year: int
    items: list[OutgoingOut]


class NumberIn(StrictIn):
    version: int | None = Field(None, ge=1, le=2**31, description="Phiên bản hồ sơ đã đọc; lệch thì 409 (stale)")


class WithdrawIn(StrictIn):
    reason: str = Field(min_length=1, max_length=300, description="Lý do thu hồi số")


def outgoing_out(e: OutgoingEntry) -> dict:
    return {"id": e.pk, "unit": e.unit.code, "year": e.year, "number": e.number, "code": e.code, "kind": e.kind,
            "issued_on": e.issued_on, "subject": e.subject, "recipients": e.recipients,
            "submission": e.submission_id, "sha256": e.sha256,
            "file_url": f"/api/outgoing/{e.pk}/file" if e.file else None,
            "issued_by": e.issued_by.username, "issued_at": e.issued_at, "withdrawn": e.withdrawn,
            "withdrawn_at": e.withdrawn_at, "withdraw_reason": e.withdraw_reason}


def _outgoing(request: HttpRequest, pk: int) -> OutgoingEntry:
    if (entry := register.readable_entry(request.user, pk)) is None:
        raise no_such_document()
    return entry


@router.post("/submissions/{pk}/number", response=ok(OutgoingOut),
             summary="Cấp số văn bản đi cho công văn đăng ký của hồ sơ (số tiếp theo của sổ năm nay, ngày hôm nay; "
                     "đã có số trả 409, code already_numbered)")
def number_submission(request: HttpRequest, pk: int, body: NumberIn):
    sub = get_object_or_404(selectors.visible_submissions(request.user).select_related("round", "unit"), pk=pk)
    entry = register.issue_registration(submission=sub, by=request.user, expected_version=body.version)
    return outgoing_out(entry)


@router.get("/units/{code}/outgoing", response=ok(OutgoingPage), summary="Sổ văn bản đi của đơn vị trong một năm")
def outgoing_register(request: HttpRequest, code: str, year: Annotated[int, Field(ge=2000, le=2100)] | None = None):
    if (unit := register.readable_unit(request.user, code)) is None:
        raise ApiError(404, "not_found", "Không có sổ văn bản đi này.")
    year = year or timezone.localdate().year
    return {"unit": unit.code, "year": year, "items": [outgoing_out(e) for e in register.register(unit, year)]}


@router.get("/outgoing/{pk}/file", response=ERRORS, summary="Tệp văn bản đi như đã ban hành",
            openapi_extra=file_responses({"docx": services.MIME["docx"]}, "Tệp Word"))
def outgoing_file(request: HttpRequest, pk: int):
    entry = _outgoing(request, pk)
    if not entry.file:
        raise no_such_document()
    return downloads.file_response(entry.file.open("rb"), (entry.file.name or "").rsplit("/", 1)[-1],
                                   services.MIME["docx"])


@router.post("/outgoing/{pk}/withdraw", response=ok(OutgoingOut),
             summary="Thu hồi một số văn bản đi (số không được cấp lại; đã thu hồi trả 409, code withdrawn)")
def withdraw_outgoing(request: HttpRequest, pk: int, body: WithdrawIn):
    entry = register.withdraw(entry=_outgoing(request, pk), by=request.user, reason=body.reason)
    return outgoing_out(OutgoingEntry.objects.select_related("unit", "issued_by").get(pk=entry.pk))
