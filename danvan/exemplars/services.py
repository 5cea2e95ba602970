"""Every write to an exemplar goes through here: pages, admin, API, CLI, import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.dispatch import Signal
from django.utils import timezone

from danvan.foundation.html import sanitize_html, strip_control_chars
from danvan.foundation.writes import PreparedInsert
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

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


# Checks of an edit's new values against what holds the model (`movement` registers the dossiers' rule: a model
# in a dossier keeps that dossier's unit, movement and year — or an earlier year when it is continued there).
CHANGE_CHECKS: list[Callable[[Exemplar], str | None]] = []


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


def _validate(ex: Exemplar, by: Actor) -> list[str]:
    warnings: list[str] = []
    if not permissions.can_edit_unit(by, ex.unit):
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
def create_exemplar(*, by: Actor, **data) -> SaveResult:
    data = clean_input(data)
    ex = Exemplar(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    warnings = _validate(ex, by)
    ex.created_by = permissions.author(by)
    ex.updated_by = permissions.author(by)
    ex._history_user = by  # type: ignore[attr-defined]
    ex.full_clean(exclude=["created_by", "updated_by"])
    ex.save()
    return SaveResult(ex, warnings)


# Exemplars created in bulk (an import) skip post_save; those who keep something in step with every save
# listen to these instead: `prepared_in_bulk` before the write transaction (to do their slow work there,
# e.g. the search index folds the text) and `created_in_bulk` inside it, the exemplars then having their
# ids (search.signals, reports.signals).
prepared_in_bulk = Signal()
created_in_bulk = Signal()
BULK_BATCH = 500


@dataclass
class NewExemplars:
    """Exemplars checked by `build_new_exemplars`, their INSERT ready: what `save_new_exemplars` writes."""

    results: list[SaveResult]
    by: Actor
    insert: PreparedInsert

    @property
    def exemplars(self) -> list[Exemplar]:
        return [r.exemplar for r in self.results]


def build_new_exemplars(*, by: Actor, unit: OrgUnit, rows: list[dict]) -> NewExemplars:
    """New exemplars of one unit checked and cleaned as `create_exemplar` checks them, nothing written.

    For an import: everything slow (sanitizing, validation, building the INSERT) runs here, before the short
    write of `save_new_exemplars`, with a fixed number of queries whatever the number of rows. A row's
    ``field`` may be a new, unsaved field of `unit` (saved by the caller in the write transaction)."""
    if not permissions.can_edit_unit(by, unit):
        raise PermissionDenied("Bạn không có quyền sửa mô hình của đơn vị này.")
    allowed_fields = set(fields_for_unit(unit).values_list("pk", flat=True))
    out: list[SaveResult] = []
    for raw in rows:
        data = clean_input(raw)
        ex = Exemplar(**{**{k: v for k, v in data.items() if k in EDITABLE_FIELDS}, "unit": unit})
        try:
            fld = ex.field
            if not (fld.pk is None and fld.owner_id == unit.pk) and fld.pk not in allowed_fields:
                raise ValidationError({"field": "Lĩnh vực này không thuộc đơn vị hoặc cấp trên của đơn vị."})
            if not ex.movement.covers(ex.year):
                raise ValidationError({"year": "Năm đăng ký nằm ngoài giai đoạn của phong trào."})
            warnings = []
            if ex.origin == Origin.REPLICATION and ex.source_id is None:
                warnings.append("Mô hình nhân rộng chưa ghi mô hình nguồn; nên chọn mô hình được nhân rộng.")
            elif ex.origin != Origin.REPLICATION:
                ex.source = None
            # full_clean less the foreign keys' existence queries: unit, movement, field and source are the
            # objects loaded by the caller; a new exemplar cannot be its own source (the one constraint).
            ex.clean_fields(exclude=["unit", "movement", "field", "source", "created_by", "updated_by",
                                     "deleted_by"])
            ex.clean()
        except ValidationError as exc:
            name = (data.get("name") or "")[:60]
            raise ValidationError([f"Dòng “{name}”: {m}" for m in exc.messages]) from exc
        ex.created_by = ex.updated_by = permissions.author(by)
        out.append(SaveResult(ex, warnings))
    exemplars = [r.exemplar for r in out]
    prepared_in_bulk.send(sender=Exemplar, exemplars=exemplars)
    return NewExemplars(out, by, PreparedInsert(Exemplar, exemplars, batch_size=BULK_BATCH))


def save_new_exemplars(new: NewExemplars) -> list[Exemplar]:
    """Insert exemplars built by `build_new_exemplars`, with what a save of each would leave: its history row
    ("+", by the same user), its search entry and its count in the tally (`created_in_bulk`). A few
    statements per `BULK_BATCH` rows; in the caller's transaction (all or none)."""
    if not new.results:
        return []
    with transaction.atomic():
        saved = new.insert.execute()
        _history_created(saved, new.by)
        created_in_bulk.send(sender=Exemplar, exemplars=saved)
    return saved


def _history_created(saved: list[Exemplar], by: Actor) -> None:
    """The "+" history rows simple_history's post_save would write, copied by the database from the rows
    just inserted (INSERT … SELECT): one statement per batch, nothing built row by row."""
    history = Exemplar.history.model  # type: ignore[attr-defined]
    conn = connections[Exemplar.objects.db]
    q = conn.ops.quote_name
    columns = ", ".join(q(f.column) for f in history.tracked_fields)
    when = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection=conn)
    ids = [ex.pk for ex in saved]
    with conn.cursor() as cur:
        for start in range(0, len(ids), BULK_BATCH):
            chunk = ids[start:start + BULK_BATCH]
            cur.execute(
                f"INSERT INTO {q(history._meta.db_table)} ({columns}, history_date, history_user_id, history_type, "
                f"history_change_reason) SELECT {columns}, %s, %s, '+', NULL FROM {q(Exemplar._meta.db_table)} "
                f"WHERE {q('id')} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {q('id')}",
                [when, getattr(by, "pk", None), *chunk])


@transaction.atomic
def update_exemplar(*, exemplar: Exemplar, by: Actor, expected_version: int | None = None, **data) -> SaveResult:
    data = clean_input(data)
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if locked.is_deleted:
        raise ValidationError("Mô hình này đã bị xóa.")
    if not permissions.can_edit_unit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền sửa mô hình của đơn vị này.")
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    _require_unlocked(locked)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(locked, key, value)
    if reason := next((r for check in CHANGE_CHECKS if (r := check(locked))), None):
        raise ValidationError(reason, code="held")
    warnings = _validate(locked, by)
    locked.updated_by = permissions.author(by)
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.full_clean(exclude=["created_by", "updated_by"])
    locked.save()
    return SaveResult(locked, warnings)


@transaction.atomic
def delete_exemplar(*, exemplar: Exemplar, by: Actor) -> Exemplar:
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if not permissions.can_edit_unit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền xóa mô hình của đơn vị này.")
    if locked.is_deleted:
        return locked
    _require_unlocked(locked)
    locked.deleted_at = timezone.now()
    locked.deleted_by = permissions.author(by)
    locked.updated_by = permissions.author(by)
    locked._history_user = by  # type: ignore[attr-defined]
    locked._change_reason = "Xóa"  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def restore_exemplar(*, exemplar: Exemplar, by: Actor) -> Exemplar:
    if not permissions.can_restore(by, exemplar.unit):
        raise PermissionDenied("Chỉ quản trị viên mới khôi phục được mô hình đã xóa.")
    locked = Exemplar.objects.select_for_update().get(pk=exemplar.pk)
    if not locked.is_deleted:
        return locked
    locked.deleted_at = None
    locked.deleted_by = None
    locked.updated_by = permissions.author(by)
    locked._history_user = by  # type: ignore[attr-defined]
    locked._change_reason = "Khôi phục"  # type: ignore[attr-defined]
    locked.save()
    return locked
