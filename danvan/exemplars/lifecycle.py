"""An exemplar's life after registration: building, assessment, recognition, commendation, stop.

Every step exists once here (pages, API and CLI call it), goes through a django-fsm transition
on `Exemplar`, takes a row lock, checks the version the page was rendered with, and leaves a
`LifecycleEvent` with who and when. Rights come from `danvan.orgs.permissions`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from danvan.foundation.html import strip_control_chars
from danvan.foundation.uploads import check_upload
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from .models import (
    Commendation,
    Evidence,
    Exemplar,
    LifecycleAction,
    LifecycleEvent,
    ProgressUpdate,
    Recognition,
    Status,
)
from .services import STALE_MESSAGE

EVIDENCE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".pdf", ".docx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10

# What each transition needs, said to the user when the exemplar is not in that state.
NOT_ALLOWED = {
    "start_building": "Chỉ bắt đầu xây dựng được mô hình đang ở trạng thái “Đã đăng ký”.",
    "assess_achieved": "Chỉ đánh giá kết quả được mô hình đang xây dựng.",
    "assess_not_achieved": "Chỉ đánh giá kết quả được mô hình đang xây dựng.",
    "recognize": "Chỉ công nhận được mô hình đã được đánh giá kết quả đạt (hoặc đã được công nhận ở cấp khác).",
    "commend": "Chỉ biểu dương, khen thưởng được mô hình đã được đánh giá đạt hoặc đã được công nhận.",
    "stop": "Chỉ dừng được mô hình đã đăng ký hoặc đang xây dựng.",
}


def _today() -> datetime.date:
    return timezone.localdate()


def deciding_units(user: Actor, ex: Exemplar) -> list[OrgUnit]:
    """Units on the exemplar's line (itself and its ancestors) for which the user may record a decision.

    Highest first: a Board recognizing a commune's model decides as the Board, so that is the default choice.
    """
    line = list(OrgUnit.objects.filter(path__in=[*ex.unit.ancestor_paths(), ex.unit.path])
                .select_related("level").order_by("depth"))
    return [u for u in line if permissions.can_decide(user, u)]


def registered_on(ex: Exemplar) -> datetime.date:
    """The day the exemplar was registered: its first sent registration, else 1 January of its year."""
    first = ex.submission_items.filter(submission__submitted_at__isnull=False).aggregate(
        at=Min("submission__submitted_at"))["at"]
    return timezone.localdate(first) if first else datetime.date(ex.year, 1, 1)


def _lock(exemplar: Exemplar, expected_version: int | None) -> Exemplar:
    locked = Exemplar.objects.select_for_update(of=("self",)).select_related("unit__level").get(pk=exemplar.pk)
    if locked.is_deleted:
        raise ValidationError("Mô hình này đã bị xóa.")
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    return locked


def _step(ex: Exemplar, by: Actor, action: str, transition: str | None, comment: str = "",
          happened_on: datetime.date | None = None) -> LifecycleEvent:
    before = ex.status
    if transition is not None:
        method: Callable[[], None] = getattr(ex, transition)
        try:
            method()
        except TransitionNotAllowed:
            raise ValidationError(
                f"{NOT_ALLOWED[transition]} Mô hình đang “{ex.get_status_display()}”.", code="transition"
            ) from None
    ex.version += 1
    ex.updated_by = permissions.author(by)
    ex._history_user = by  # type: ignore[attr-defined]
    ex._change_reason = LifecycleAction(action).label  # type: ignore[attr-defined]
    ex.save()
    return LifecycleEvent.objects.create(exemplar=ex, action=action, from_status=before, to_status=ex.status,
                                         comment=comment, by=permissions.author(by), happened_on=happened_on or _today())


def _clean_text(text: str, limit: int = 20000) -> str:
    text = strip_control_chars(text or "").strip()
    if len(text) > limit:
        raise ValidationError(f"Nội dung dài quá {limit} ký tự.")
    return text


def _check_date(value: datetime.date | None, ex: Exemplar, what: str) -> datetime.date:
    if value is None:
        raise ValidationError(f"Cần ghi {what}.")
    if value > _today():
        raise ValidationError(f"{what.capitalize()} không thể sau ngày hôm nay.")
    start = registered_on(ex)
    if value < start:
        raise ValidationError(f"{what.capitalize()} ({value:%d/%m/%Y}) không thể trước ngày mô hình được đăng ký "
                              f"({start:%d/%m/%Y}).")
    return value


def check_evidence(files: Sequence[UploadedFile]) -> list[str]:
    """Vietnamese reasons to refuse evidence files (type, real content, size, count); empty when all is well."""
    problems = []
    if len(files) > EVIDENCE_MAX_FILES:
        problems.append(f"Mỗi lần chỉ đính kèm tối đa {EVIDENCE_MAX_FILES} tệp minh chứng.")
    for f in files:
        name = f.name or "tệp"
        if not name.lower().endswith(EVIDENCE_EXTENSIONS):
            problems.append(f"“{name}”: chỉ nhận minh chứng là ảnh JPG/PNG, PDF hoặc Word (.docx).")
        elif (f.size or 0) > EVIDENCE_MAX_BYTES:
            problems.append(f"“{name}”: tệp lớn hơn {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.")
        elif reason := check_upload(f):
            problems.append(f"“{name}”: {reason}")
    return problems


# ---- the steps ---------------------------------------------------------------------------------

@transaction.atomic
def start_building(*, exemplar: Exemplar, by: Actor, expected_version: int | None = None, comment: str = "") -> Exemplar:
    ex = _lock(exemplar, expected_version)
    if not permissions.can_edit_unit(by, ex.unit):
        raise PermissionDenied("Bạn không có quyền cập nhật mô hình của đơn vị này.")
    _step(ex, by, LifecycleAction.START, "start_building", _clean_text(comment))
    return ex


@transaction.atomic
def add_progress(*, exemplar: Exemplar, by: Actor, date: datetime.date | None, text: str,
                 files: Sequence[UploadedFile] = (), expected_version: int | None = None) -> ProgressUpdate:
    """Record what was done, with evidence; a registered exemplar starts building with its first update."""
    ex = _lock(exemplar, expected_version)
    if not permissions.can_edit_unit(by, ex.unit):
        raise PermissionDenied("Bạn không có quyền cập nhật mô hình của đơn vị này.")
    text = _clean_text(text)
    if not text:
        raise ValidationError("Cần ghi nội dung đã thực hiện.")
    day = _check_date(date, ex, "ngày cập nhật")
    if problems := check_evidence(files):
        raise ValidationError(problems)
    if ex.status not in (Status.REGISTERED, Status.BUILDING):
        raise ValidationError(f"Mô hình đang “{ex.get_status_display()}”: không cập nhật tiến độ được nữa.",
                              code="transition")
    if ex.status == Status.REGISTERED:
        _step(ex, by, LifecycleAction.START, "start_building", happened_on=day)
    update = ProgressUpdate.objects.create(exemplar=ex, date=day, text=text, created_by=permissions.author(by))
    for f in files:
        f.seek(0)
        digest = hashlib.sha256(f.read()).hexdigest()
        f.seek(0)
        Evidence.objects.create(update=update, file=f, original_name=(f.name or "tệp")[:255], size=f.size or 0, sha256=digest)
    _step(ex, by, LifecycleAction.PROGRESS, None, text[:200], happened_on=day)
    return update


@transaction.atomic
def assess(*, exemplar: Exemplar, by: Actor, achieved: bool, comment: str = "",
           expected_version: int | None = None, date: datetime.date | None = None) -> Exemplar:
    """`date`: the day the assessment was made (today when not given; never after today, never before the
    registration)."""
    ex = _lock(exemplar, expected_version)
    if not permissions.can_assess(by, ex.unit):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị hoặc cấp trên mới đánh giá kết quả mô hình.")
    day = _check_date(date or _today(), ex, "ngày đánh giá")
    _step(ex, by, LifecycleAction.ASSESS, "assess_achieved" if achieved else "assess_not_achieved",
          _clean_text(comment), happened_on=day)
    return ex


def _decision(by: Actor, ex: Exemplar, by_unit: OrgUnit, what: str, decision_number: str,
              decision_date: datetime.date | None) -> tuple[str, datetime.date]:
    """The checks every decision on an exemplar shares; returns its cleaned number and date."""
    if not ex.unit.is_in_subtree_of(by_unit):
        raise ValidationError(f"{by_unit.name} không thể {what} mô hình của {ex.unit.name}: "
                              "mô hình không thuộc phạm vi đơn vị này.", code="outside")
    if not permissions.can_decide(by, by_unit):
        raise PermissionDenied(f"Bạn không có quyền ghi quyết định {what} thay cho {by_unit.name}.")
    number = _clean_text(decision_number, 60)
    if not number:
        raise ValidationError(f"Cần ghi số quyết định {what}.")
    return number, _check_date(decision_date, ex, "ngày quyết định")


@transaction.atomic
def recognize(*, exemplar: Exemplar, by: Actor, by_unit: OrgUnit, decision_number: str,
              decision_date: datetime.date | None, note: str = "",
              expected_version: int | None = None) -> Recognition:
    ex = _lock(exemplar, expected_version)
    number, day = _decision(by, ex, by_unit, "công nhận", decision_number, decision_date)
    if ex.recognitions.filter(by_unit=by_unit).exists():
        raise ValidationError(f"Mô hình đã được {by_unit.name} công nhận.", code="duplicate")
    rec = Recognition.objects.create(exemplar=ex, by_unit=by_unit, level=by_unit.level, decision_number=number,
                                     decision_date=day, note=_clean_text(note), created_by=permissions.author(by))
    # A second recognition (another level) keeps the status; the first one moves it on.
    transition = "recognize" if ex.status not in (Status.RECOGNIZED, Status.COMMENDED) else None
    _step(ex, by, LifecycleAction.RECOGNIZE, transition,
          f"{by_unit.name} công nhận, Quyết định số {number} ngày {day:%d/%m/%Y}", happened_on=day)
    _tell_unit(ex, by, "recognition", f"Mô hình “{ex.name}” được {by_unit.name} công nhận "
                                      f"(Quyết định số {number} ngày {day:%d/%m/%Y}).")
    return rec


def _tell_unit(ex: Exemplar, by: Actor, kind: str, text: str) -> None:
    """The unit whose model it is learns of the decision (in the app and by e-mail)."""
    from danvan.movement import notify

    notify.notify(kind=kind, users=notify.members([ex.unit_id]), by=by, exemplar=ex, text=text,
                  url=f"/mo-hinh/{ex.pk}/")


@transaction.atomic
def commend(*, exemplar: Exemplar, by: Actor, by_unit: OrgUnit, form: str, decision_number: str,
            decision_date: datetime.date | None, note: str = "",
            expected_version: int | None = None) -> Commendation:
    ex = _lock(exemplar, expected_version)
    number, day = _decision(by, ex, by_unit, "biểu dương, khen thưởng", decision_number, decision_date)
    com = Commendation(exemplar=ex, by_unit=by_unit, level=by_unit.level, form=form, decision_number=number,
                       decision_date=day, note=_clean_text(note), created_by=permissions.author(by))
    com.full_clean(exclude=["exemplar", "by_unit", "level", "created_by"])
    com.save()
    transition = None if ex.status == Status.COMMENDED else "commend"
    _step(ex, by, LifecycleAction.COMMEND, transition,
          f"{com.get_form_display()} của {by_unit.name}, Quyết định số {number} ngày {day:%d/%m/%Y}",
          happened_on=day)
    verb = "biểu dương" if com.form == "praise" else f"tặng {com.get_form_display()}"
    _tell_unit(ex, by, "commendation", f"Mô hình “{ex.name}” được {by_unit.name} {verb} "
                                       f"(Quyết định số {number} ngày {day:%d/%m/%Y}).")
    return com


@transaction.atomic
def stop(*, exemplar: Exemplar, by: Actor, reason: str, expected_version: int | None = None,
         date: datetime.date | None = None) -> Exemplar:
    ex = _lock(exemplar, expected_version)
    if not permissions.can_assess(by, ex.unit):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị hoặc cấp trên mới dừng thực hiện mô hình.")
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError("Cần ghi lý do dừng thực hiện.")
    day = _check_date(date or _today(), ex, "ngày dừng thực hiện")
    _step(ex, by, LifecycleAction.STOP, "stop", reason, happened_on=day)
    return ex


@transaction.atomic
def set_published(*, recognition: Recognition, by: Actor, published: bool,
                  expected_version: int | None = None) -> Recognition:
    """Publish the recognized exemplar on the public showcase (/cong-khai/), or withdraw it; who and when are kept."""
    ex = _lock(recognition.exemplar, expected_version)
    rec = Recognition.objects.select_for_update(of=("self",)).select_related("by_unit").get(pk=recognition.pk,
                                                                                          exemplar=ex)
    if not permissions.can_decide(by, rec.by_unit):
        raise PermissionDenied(f"Chỉ {rec.by_unit.name} (đơn vị công nhận) mới quyết định công khai mô hình này.")
    if rec.published == published:
        raise ValidationError("Mô hình đã được công khai." if published else "Mô hình chưa được công khai.",
                              code="unchanged")
    rec.published, rec.published_at, rec.published_by = published, timezone.now(), permissions.author(by)
    rec.save(update_fields=["published", "published_at", "published_by"])
    what = "công khai" if published else "thôi công khai"
    _step(ex, by, LifecycleAction.PUBLISH if published else LifecycleAction.UNPUBLISH, None,
          f"{rec.by_unit.name} {what} mô hình (Quyết định công nhận số {rec.decision_number} "
          f"ngày {rec.decision_date:%d/%m/%Y})")
    return rec
