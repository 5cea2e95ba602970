"""Every write to an exemplar goes through here: pages, admin, API, CLI, import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from danvan.core.html import sanitize_html, strip_control_chars
from danvan.orgs import scoping
from danvan.orgs.models import OrgUnit

from .models import Exemplar, Field, Origin

CONTENT_FIELDS = ("content_problem", "content_actors", "content_results")
EDITABLE_FIELDS = (
    "unit", "year", "movement", "field", "name", "kind", "address", *CONTENT_FIELDS, "origin", "source",
)
STALE_MESSAGE = (
    "Mô hình này vừa được người khác sửa sau khi bạn mở trang. "
    "Hãy tải lại trang để xem bản mới nhất rồi sửa lại; thay đổi của bạn chưa được lưu."
)


# Why an exemplar's content may not change now, or None. The rounds register "it is in a dossier that was sent"
# (movement/apps.py): what was sent stays as it was sent until the dossier is returned.
EDIT_LOCKS: list[Callable[[Exemplar], str | None]] = []


def edit_lock(ex: Exemplar) -> str | None:
    """The first reason the exemplar may not be edited or deleted now (every door asks this)."""
    return next((reason for check in EDIT_LOCKS if (reason := check(ex))), None)


def _require_unlocked(ex: Exemplar) -> None:
    if reason := edit_lock(ex):
        raise ValidationError(reason, code="locked")


@dataclass
class SaveResult:
    exemplar: Exemplar
    warnings: list[str] = field(default_factory=list)


def fields_for_unit(unit: OrgUnit):
    """Fields a unit may use: its own and those of its ancestors."""
    return Field.objects.filter(owner__path__in=[*unit.ancestor_paths(), unit.path]).select_related(
        "category"
    )


def clean_input(data: dict) -> dict:
    """Names and addresses on one line, content through the one sanitizer: what every door stores."""
    out = dict(data)
    for key in ("name", "address"):
        if key in out and out[key] is not None:
            out[key] = " ".join(strip_control_chars(out[key]).split())
    for key in CONTENT_FIELDS:
        if key in out:
            out[key] = sanitize_html(out[key] or "")
    return out


def _validate(ex: Exemplar, by) -> list[str]:
    warnings: list[str] = []
    if not scoping.can_edit_unit(by, ex.unit):
        raise PermissionDenied("Bạn không có quyền sửa mô hình của đơn vị này.")
    if not fields_for_unit(ex.unit).filter(pk=ex.field_id).exists():
        raise ValidationError({"field": "Lĩnh vực này không thuộc đơn vị hoặc cấp trên của đơn vị."})
    if ex.movement_id and not ex.movement.covers(ex.year):
        raise ValidationError({"year": "Năm đăng ký nằm ngoài giai đoạn của phong trào."})
    if ex.origin == Origin.REPLICATION:
        if ex.source_id is None:
            warnings.append("Mô hình nhân rộng chưa ghi mô hình nguồn; nên chọn mô hình được nhân rộng.")
        elif ex.pk and _source_chain_contains(ex.source_id, ex.pk):
            raise ValidationError({"source": "Mô hình nguồn không thể là chính mô hình này hoặc bản nhân rộng của nó."})
    elif ex.source_id is not None:
        ex.source = None
    return warnings


def _source_chain_contains(start_id: int, target_id: int) -> bool:
    seen: set[int] = set()
    current: int | None = start_id
    while current is not None and current not in seen:
        if current == target_id:
            return True
        seen.add(current)
        current = Exemplar.objects.filter(pk=current).values_list("source_id", flat=True).first()
    return False


@transaction.atomic
def create_exemplar(*, by, **data) -> SaveResult:
    data = clean_input(data)
    ex = Exemplar(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    warnings = _validate(ex, by)
    ex.created_by = by
    ex.updated_by = by
    ex._history_user = by  # type: ignore[attr-defined]
    ex.full_clean(exclude=["created_by", "updated_by"])
    ex.save()
    return SaveResult(ex, warnings)


@transaction.atomic
def update_exemplar(*, exemplar: Exemplar, by, expected_version: int | None = None, **data) -> SaveResult:
    data = clean_input(data)
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if locked.is_deleted:
        raise ValidationError("Mô hình này đã bị xóa.")
    if not scoping.can_edit_unit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền sửa mô hình của đơn vị này.")
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    _require_unlocked(locked)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(locked, key, value)
    warnings = _validate(locked, by)
    locked.updated_by = by
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.full_clean(exclude=["created_by", "updated_by"])
    locked.save()
    return SaveResult(locked, warnings)


@transaction.atomic
def delete_exemplar(*, exemplar: Exemplar, by) -> Exemplar:
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if not scoping.can_edit_unit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền xóa mô hình của đơn vị này.")
    if locked.is_deleted:
        return locked
    _require_unlocked(locked)
    locked.deleted_at = timezone.now()
    locked.deleted_by = by
    locked.updated_by = by
    locked._history_user = by  # type: ignore[attr-defined]
    locked._change_reason = "Xóa"  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def restore_exemplar(*, exemplar: Exemplar, by) -> Exemplar:
    if not (getattr(by, "is_superuser", False) or "admin" in scoping.roles_over(by, exemplar.unit)):
        raise PermissionDenied("Chỉ quản trị viên mới khôi phục được mô hình đã xóa.")
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if not locked.is_deleted:
        return locked
    locked.deleted_at = None
    locked.deleted_by = None
    locked.updated_by = by
    locked._history_user = by  # type: ignore[attr-defined]
    locked._change_reason = "Khôi phục"  # type: ignore[attr-defined]
    locked.save()
    return locked
