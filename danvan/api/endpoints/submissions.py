"""Submissions: every workflow step is a call to danvan.movement.services (as on the pages)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from pydantic import Field

from danvan.exemplars.models import Exemplar
from danvan.movement import selectors, services
from danvan.movement.models import Submission

from ..pagination import page
from ..schemas import (
    AttachIn,
    DetachIn,
    ExtendIn,
    RemindIn,
    RemindOut,
    ReturnIn,
    SubmissionDetail,
    SubmissionPage,
    SubmissionSaved,
    VersionIn,
)
from .common import bad_ref, ok
from .units import PageQuery

router = Router(tags=["Hồ sơ đăng ký"])


class SubmissionFilter(PageQuery):
    round: int | None = Field(None, ge=1, le=2**62, description="Mã số đợt (cả đợt chuyển tiếp)")
    root: int | None = Field(None, ge=1, le=2**62, description="Mã số đợt gốc: cả họ đợt")
    status: str | None = Field(None, max_length=20)
    unit: str | None = Field(None, max_length=64)


def submission_out(s: Submission) -> dict:
    return {
        "id": s.pk, "round": s.round_id, "root": s.root_id, "unit": s.unit.code, "unit_name": s.unit.name,
        "status": s.status, "status_label": s.display_status(), "version": s.version, "n_total": s.n_total,
        "n_collective": s.n_collective, "n_individual": s.n_individual, "below_quota": s.below_quota,
        "is_late": s.is_late, "on_behalf": s.on_behalf, "submitted_at": s.submitted_at,
        "reviewed_at": s.reviewed_at, "awaiting_approval": s.awaiting_approval,
        "approval_requested_at": s.approval_requested_at, "extended_until": s.extended_until,
    }


def submission_detail(s: Submission) -> dict:
    items = s.items.select_related("exemplar__unit").order_by("exemplar__unit__path", "pk")
    events = s.events.select_related("by")
    return {
        **submission_out(s),
        "items": [{"exemplar": i.exemplar_id, "name": i.exemplar.name, "unit": i.exemplar.unit.code,
                   "kind": i.exemplar.kind, "year": i.exemplar.year, "continued": i.continued,
                   "via_submission": i.via_id} for i in items],
        "timeline": [{"action": e.action, "action_label": e.get_action_display(),
                      "by": (e.by.get_full_name() or e.by.username) if e.by else None, "at": e.at,
                      "comment": e.comment, "on_behalf": e.on_behalf} for e in events],
        "missing": services.quota_shortfall(s),
        "launch_content": s.launch_content, "signed_number": s.signed_number, "signed_date": s.signed_date,
    }


def _sub(request: HttpRequest, pk: int) -> Submission:
    qs = selectors.visible_submissions(request.user).select_related("round__issuer", "unit")
    return get_object_or_404(qs, pk=pk)


def _saved(request: HttpRequest, pk: int, warnings: list[str] | None = None) -> dict:
    return {"submission": submission_detail(_sub(request, pk)), "warnings": warnings or []}


@router.get("/submissions", response=ok(SubmissionPage), summary="Hồ sơ đăng ký trong phạm vi")
def list_submissions(request: HttpRequest, f: Query[SubmissionFilter]):
    qs = selectors.visible_submissions(request.user).select_related("unit")
    if f.round is not None:
        qs = qs.filter(round_id=f.round)
    if f.root is not None:
        qs = qs.filter(root_id=f.root)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit:
        qs = qs.filter(unit__code=f.unit)
    rows, nxt = page(qs, f.cursor, f.limit)
    return {"items": [submission_out(s) for s in rows], "next_cursor": nxt}


@router.get("/submissions/{pk}", response=ok(SubmissionDetail), summary="Hồ sơ, mô hình kèm theo và nhật ký")
def get_submission(request: HttpRequest, pk: int):
    return submission_detail(_sub(request, pk))


@router.post("/submissions/{pk}/attach", response=ok(SubmissionSaved), summary="Thêm mô hình vào hồ sơ")
def attach(request: HttpRequest, pk: int, body: AttachIn):
    sub = _sub(request, pk)
    exemplars = list(Exemplar.objects.filter(pk__in=body.exemplars))
    if len(exemplars) != len(set(body.exemplars)):
        raise bad_ref("exemplars", "Có mô hình không tồn tại.")
    services.attach_exemplars(submission=sub, exemplars=exemplars, by=request.user, continued=body.continued,
                              expected_version=body.version)
    return _saved(request, pk)


@router.post("/submissions/{pk}/detach", response=ok(SubmissionSaved), summary="Bỏ một mô hình khỏi hồ sơ")
def detach(request: HttpRequest, pk: int, body: DetachIn):
    sub = _sub(request, pk)
    ex = Exemplar.objects.filter(pk=body.exemplar).first()
    if ex is None:
        raise bad_ref("exemplar", "Không có mô hình này.")
    services.detach_exemplar(submission=sub, exemplar=ex, by=request.user, expected_version=body.version)
    return _saved(request, pk)


@router.post("/submissions/{pk}/submit", response=ok(SubmissionSaved),
             summary="Phê duyệt và gửi lên cấp trên (gửi lại lần hai trả 409, code already_sent)")
def submit(request: HttpRequest, pk: int, body: VersionIn):
    result = services.submit(submission=_sub(request, pk), by=request.user, expected_version=body.version)
    return _saved(request, pk, result.warnings)


@router.post("/submissions/{pk}/request-approval", response=ok(SubmissionSaved),
             summary="Trình lãnh đạo đơn vị phê duyệt (lãnh đạo được báo)")
def request_approval(request: HttpRequest, pk: int, body: VersionIn):
    services.request_approval(submission=_sub(request, pk), by=request.user, expected_version=body.version)
    return _saved(request, pk)


@router.post("/submissions/{pk}/accept", response=ok(SubmissionSaved), summary="Tiếp nhận hồ sơ")
def accept(request: HttpRequest, pk: int):
    services.accept(submission=_sub(request, pk), by=request.user)
    return _saved(request, pk)


@router.post("/submissions/{pk}/extend", response=ok(SubmissionSaved),
             summary="Gia hạn cho riêng đơn vị này (gửi trong hạn mới là đúng hạn)")
def extend(request: HttpRequest, pk: int, body: ExtendIn):
    services.extend_deadline(submission=_sub(request, pk), by=request.user, until=body.until, reason=body.reason)
    return _saved(request, pk)


@router.post("/submissions/{pk}/return", response=ok(SubmissionSaved), summary="Trả lại hồ sơ kèm ý kiến")
def return_submission(request: HttpRequest, pk: int, body: ReturnIn):
    services.return_submission(submission=_sub(request, pk), by=request.user, comment=body.comment)
    return _saved(request, pk)


@router.post("/submissions/{pk}/consolidate", response=ok(SubmissionSaved),
             summary="Tổng hợp mô hình của các đơn vị trực thuộc đã được tiếp nhận")
def consolidate(request: HttpRequest, pk: int):
    result = services.consolidate_submission(submission=_sub(request, pk), by=request.user)
    return _saved(request, pk, result.warnings)


@router.post("/submissions/{pk}/remind", response=ok(RemindOut), summary="Nhắc đơn vị của hồ sơ này")
def remind(request: HttpRequest, pk: int, body: RemindIn):
    sub = _sub(request, pk)
    sent = services.remind(round=sub.round, submissions=[sub], by=request.user, message=body.message)
    return {"reminded": [r.submission.unit.code for r in sent]}
