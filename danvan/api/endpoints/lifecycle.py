"""An exemplar's life after registration: every step is a call to danvan.exemplars.lifecycle (as on the page).

The service checks the rights, the version the client read (409 `stale`) and the transition (400
`transition`, `duplicate`, `unchanged`, `outside`), so nothing here decides who may do what. Evidence files
are uploaded with `POST …/progress/evidence` (multipart) and downloaded one by one, after the same scope check.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from danvan.exemplars import lifecycle
from danvan.exemplars.models import (
    Commendation,
    Evidence,
    Exemplar,
    LifecycleEvent,
    ProgressUpdate,
    Recognition,
)
from danvan.exemplars.models import CommendationForm as CommendationKind
from danvan.foundation import uploads
from danvan.foundation.uploads import download
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit

from ..errors import ApiError
from ..schemas import ExemplarOut, StrictIn
from .common import ERRORS, missing, ok
from .exemplars import _get, exemplar_out

router = Router(tags=["Quá trình xây dựng mô hình"])


# ---- shapes ------------------------------------------------------------------------------------

class LifecycleEventOut(Schema):
    id: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    comment: str
    by: str | None = None
    happened_on: datetime.date | None = Field(None, description="Ngày việc diễn ra (ngày đánh giá, ngày quyết định…)")
    at: datetime.datetime = Field(description="Lúc được ghi vào hệ thống")


class EvidenceOut(Schema):
    id: int
    name: str
    size: int


class ProgressOut(Schema):
    id: int
    date: datetime.date
    text: str
    by: str | None = None
    created_at: datetime.datetime
    evidence: list[EvidenceOut]


class RecognitionOut(Schema):
    id: int
    by_unit: str
    by_unit_name: str
    level: str
    decision_number: str
    decision_date: datetime.date
    note: str
    published: bool
    published_at: datetime.datetime | None = None


class CommendationOut(Schema):
    id: int
    by_unit: str
    by_unit_name: str
    level: str
    form: str
    form_label: str
    decision_number: str
    decision_date: datetime.date
    note: str


class LifecycleOut(Schema):
    exemplar: int
    status: str
    status_label: str
    version: int
    events: list[LifecycleEventOut]
    progress: list[ProgressOut]
    recognitions: list[RecognitionOut]
    commendations: list[CommendationOut]


class StepSaved(Schema):
    exemplar: ExemplarOut
    events: list[LifecycleEventOut] = Field(description="Các bước vừa ghi (cập nhật đầu tiên còn ghi cả “Bắt đầu xây dựng”)")
    progress: ProgressOut | None = None
    recognition: RecognitionOut | None = None
    commendation: CommendationOut | None = None


Version = Field(ge=1, le=2**31, description="Phiên bản mô hình đã đọc; lệch thì trả 409 (code stale)")


class ProgressIn(StrictIn):
    version: int = Version
    date: datetime.date = Field(description="Ngày cập nhật (không sau hôm nay, không trước ngày đăng ký)")
    text: str = Field(min_length=1, max_length=20000, description="Nội dung đã thực hiện")


class AssessIn(StrictIn):
    version: int = Version
    achieved: bool = Field(description="true: đạt; false: không đạt")
    comment: str = Field("", max_length=20000)
    date: datetime.date | None = Field(None, description="Ngày đánh giá (mặc định hôm nay; không sau hôm nay)")


class DecisionIn(StrictIn):
    version: int = Version
    by_unit: str = Field(max_length=64, description="Mã đơn vị ra quyết định (chính đơn vị hoặc cấp trên)")
    decision_number: str = Field(min_length=1, max_length=60)
    decision_date: datetime.date
    note: str = Field("", max_length=20000)


class CommendIn(DecisionIn):
    form: Literal["praise", "certificate", "merit"] = Field(description="Biểu dương, giấy khen, bằng khen")


class StopIn(StrictIn):
    version: int = Version
    reason: str = Field(min_length=1, max_length=20000, description="Lý do dừng thực hiện")
    date: datetime.date | None = Field(None, description="Ngày dừng thực hiện (mặc định hôm nay)")


class PublishIn(StrictIn):
    version: int = Version


# ---- outputs -----------------------------------------------------------------------------------

def _name(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def event_out(e: LifecycleEvent) -> dict:
    return {"id": e.pk, "action": e.action, "action_label": e.get_action_display(), "from_status": e.from_status,
            "to_status": e.to_status, "comment": e.comment, "by": _name(e.by),
            "happened_on": e.happened_on, "at": e.at}


def progress_out(p: ProgressUpdate) -> dict:
    return {"id": p.pk, "date": p.date, "text": p.text, "by": _name(p.created_by), "created_at": p.created_at,
            "evidence": [{"id": ev.pk, "name": ev.original_name, "size": ev.size} for ev in p.evidence.all()]}


def recognition_out(r: Recognition) -> dict:
    return {"id": r.pk, "by_unit": r.by_unit.code, "by_unit_name": r.by_unit.name, "level": r.level.code,
            "decision_number": r.decision_number, "decision_date": r.decision_date, "note": r.note,
            "published": r.published, "published_at": r.published_at}


def commendation_out(c: Commendation) -> dict:
    return {"id": c.pk, "by_unit": c.by_unit.code, "by_unit_name": c.by_unit.name, "level": c.level.code,
            "form": c.form, "form_label": c.get_form_display(), "decision_number": c.decision_number,
            "decision_date": c.decision_date, "note": c.note}


def _step(request: HttpRequest, pk: int, run: Callable[[Exemplar], object]) -> tuple[dict, object]:
    """Run one service step on a visible, alive exemplar; answer with it and the events the step left."""
    ex = _get(request, pk, include_deleted=False)
    last = ex.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = run(ex)
    ex = _get(request, pk)
    events = ex.events.filter(pk__gt=last, by_id=request.user.pk).select_related("by").order_by("pk")
    return {"exemplar": exemplar_out(ex), "events": [event_out(e) for e in events]}, result


def _deciding_unit(request: HttpRequest, ex: Exemplar, code: str) -> OrgUnit:
    """The unit a decision is recorded for: one on the exemplar's line or in the user's scope.

    Whether the user may decide for it, and whether the exemplar is under it, is the service's to say.
    """
    unit = OrgUnit.objects.select_related("level").filter(code=code).first()
    line = {*ex.unit.ancestor_paths(), ex.unit.path}
    if unit is None or (unit.path not in line and not permissions.visible_units(request.user).filter(pk=unit.pk).exists()):
        raise missing("by_unit", "Không tìm thấy đơn vị ra quyết định trong phạm vi của bạn.")
    return unit


# ---- endpoints ---------------------------------------------------------------------------------

@router.get("/exemplars/{pk}/events", response=ok(LifecycleOut),
            summary="Quá trình xây dựng: các bước, cập nhật tiến độ (kèm tên minh chứng), công nhận, khen thưởng")
def exemplar_events(request: HttpRequest, pk: int):
    ex = _get(request, pk)
    return {
        "exemplar": ex.pk, "status": ex.status, "status_label": ex.get_status_display(), "version": ex.version,
        "events": [event_out(e) for e in ex.events.select_related("by")],
        "progress": [progress_out(p) for p in ex.progress.select_related("created_by").prefetch_related("evidence")],
        "recognitions": [recognition_out(r) for r in ex.recognitions.select_related("by_unit", "level")],
        "commendations": [commendation_out(c) for c in ex.commendations.select_related("by_unit", "level")],
    }


@router.post("/exemplars/{pk}/progress", response=ok(StepSaved),
             summary="Cập nhật tiến độ (mô hình đã đăng ký chuyển sang đang xây dựng); kèm minh chứng: …/progress/evidence")
def record_progress(request: HttpRequest, pk: int, body: ProgressIn):
    out, update = _step(request, pk, lambda ex: lifecycle.add_progress(
        exemplar=ex, by=request.user, date=body.date, text=body.text, expected_version=body.version))
    assert isinstance(update, ProgressUpdate)
    return {**out, "progress": progress_out(update)}


@router.post("/exemplars/{pk}/progress/evidence", response=ok(StepSaved),
             summary="Cập nhật tiến độ kèm tệp minh chứng (multipart: version, date, text và các tệp ảnh JPG/PNG, PDF, "
                     "Word; tối đa 10 tệp, mỗi tệp 10 MB)")
def record_progress_with_evidence(request: HttpRequest, pk: int, data: Form[ProgressIn],
                                  files: File[list[UploadedFile]]):
    if refused := uploads.refusal(request):  # a file past the limit, found while it streamed in
        raise ApiError(413, "too_large", refused, uploads.refusal_details(request))
    out, update = _step(request, pk, lambda ex: lifecycle.add_progress(
        exemplar=ex, by=request.user, date=data.date, text=data.text, files=files, expected_version=data.version))
    assert isinstance(update, ProgressUpdate)
    return {**out, "progress": progress_out(update)}


@router.get("/exemplars/{pk}/evidence/{evidence_id}", response=ERRORS,
            summary="Tải một tệp minh chứng (trong phạm vi, luôn là tệp tải về)",
            openapi_extra={"responses": {200: {"description": "Tệp minh chứng", "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def evidence_file(request: HttpRequest, pk: int, evidence_id: int):
    ex = _get(request, pk)
    ev = Evidence.objects.filter(pk=evidence_id, update__exemplar=ex).first()
    if ev is None:
        raise missing("evidence_id", "Không tìm thấy tệp minh chứng của mô hình này.")
    return download(ev.file, ev.original_name)


@router.post("/exemplars/{pk}/assess", response=ok(StepSaved),
             summary="Đánh giá kết quả mô hình đang xây dựng: đạt hoặc không đạt (lãnh đạo đơn vị hoặc cấp trên)")
def assess(request: HttpRequest, pk: int, body: AssessIn):
    out, _ = _step(request, pk, lambda ex: lifecycle.assess(
        exemplar=ex, by=request.user, achieved=body.achieved, comment=body.comment,
        expected_version=body.version, date=body.date))
    return out


@router.post("/exemplars/{pk}/recognitions", response=ok(StepSaved),
             summary="Ghi quyết định công nhận mô hình đã đánh giá đạt (đơn vị có thẩm quyền)")
def recognize(request: HttpRequest, pk: int, body: DecisionIn):
    def run(ex: Exemplar) -> Recognition:
        return lifecycle.recognize(exemplar=ex, by=request.user, by_unit=_deciding_unit(request, ex, body.by_unit),
                                   decision_number=body.decision_number, decision_date=body.decision_date,
                                   note=body.note, expected_version=body.version)
    out, rec = _step(request, pk, run)
    assert isinstance(rec, Recognition)
    return {**out, "recognition": recognition_out(rec)}


@router.post("/exemplars/{pk}/commendations", response=ok(StepSaved),
             summary="Ghi quyết định biểu dương, khen thưởng mô hình đã đánh giá đạt hoặc đã được công nhận")
def commend(request: HttpRequest, pk: int, body: CommendIn):
    def run(ex: Exemplar) -> Commendation:
        return lifecycle.commend(exemplar=ex, by=request.user, by_unit=_deciding_unit(request, ex, body.by_unit),
                                 form=CommendationKind(body.form), decision_number=body.decision_number,
                                 decision_date=body.decision_date, note=body.note, expected_version=body.version)
    out, com = _step(request, pk, run)
    assert isinstance(com, Commendation)
    return {**out, "commendation": commendation_out(com)}


@router.post("/exemplars/{pk}/stop", response=ok(StepSaved),
             summary="Dừng thực hiện mô hình đã đăng ký hoặc đang xây dựng (lãnh đạo đơn vị hoặc cấp trên)")
def stop(request: HttpRequest, pk: int, body: StopIn):
    out, _ = _step(request, pk, lambda ex: lifecycle.stop(exemplar=ex, by=request.user, reason=body.reason,
                                                          expected_version=body.version, date=body.date))
    return out


def _publish(request: HttpRequest, pk: int, rid: int, body: PublishIn, published: bool) -> dict:
    def run(ex: Exemplar) -> Recognition:
        rec = get_object_or_404(Recognition, pk=rid, exemplar=ex)
        return lifecycle.set_published(recognition=rec, by=request.user, published=published,
                                       expected_version=body.version)
    out, rec = _step(request, pk, run)
    assert isinstance(rec, Recognition)
    return {**out, "recognition": recognition_out(rec)}


@router.post("/exemplars/{pk}/recognitions/{rid}/publish", response=ok(StepSaved),
             summary="Công khai mô hình trên trang Mô hình tiêu biểu (chỉ đơn vị đã công nhận)")
def publish(request: HttpRequest, pk: int, rid: int, body: PublishIn):
    return _publish(request, pk, rid, body, True)


@router.post("/exemplars/{pk}/recognitions/{rid}/withdraw", response=ok(StepSaved),
             summary="Thôi công khai mô hình trên trang Mô hình tiêu biểu (chỉ đơn vị đã công nhận)")
def withdraw(request: HttpRequest, pk: int, rid: int, body: PublishIn):
    return _publish(request, pk, rid, body, False)
