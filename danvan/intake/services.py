"""Importing filled forms: upload → preview (with proposals and warnings) → confirm.

One code path for the page and `danvan import-forms`: `start_import` parses and keeps the
files; `confirm_import` saves every included row through the exemplar service (all or none)
and attaches them to the unit's registration when the import belongs to one.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from danvan.exemplars import services as exemplar_services
from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.exemplars.selectors import visible_source
from danvan.movement import services as round_services
from danvan.movement.models import Submission
from danvan.orgs import scoping
from danvan.orgs.models import OrgUnit

from . import IntakeError, parse_form
from .content import fold
from .models import ImportBatch, ImportFile, ImportRow

NEW_FIELD_CATEGORY = "he-thong-chinh-tri"  # where an unknown field goes until someone remaps it


@dataclass
class FileProblem:
    filename: str
    code: str
    message: str


@dataclass
class StartResult:
    batch: ImportBatch | None
    problems: list[FileProblem] = field(default_factory=list)
    rows: int = 0


def propose_field(unit: OrgUnit, label: str) -> tuple[Field | None, float]:
    """The unit's (or an ancestor's) field closest to a form's "Lĩnh vực ..." label."""
    target = fold(label)
    best: tuple[Field | None, float] = (None, 0.0)
    for f in exemplar_services.fields_for_unit(unit):
        score = difflib.SequenceMatcher(None, target, fold(f.name)).ratio()
        if score > best[1]:
            best = (f, score)
    return best if best[1] >= 0.75 else (None, best[1])


def _duplicate_of(unit: OrgUnit, year: int, name: str) -> Exemplar | None:
    folded = fold(name)
    for ex in Exemplar.objects.alive().filter(unit=unit, year__in=[year - 1, year]).only("pk", "name", "year"):
        if difflib.SequenceMatcher(None, folded, fold(ex.name)).ratio() >= 0.9:
            return ex
    return None


def _already_imported(unit: OrgUnit, sha: str) -> ImportFile | None:
    return ImportFile.objects.filter(
        sha256=sha, batch__unit=unit, batch__state=ImportBatch.State.CONFIRMED).select_related(
        "batch__confirmed_by").first()


def row_preview(parsed, unit: OrgUnit, year: int) -> tuple[dict, list[dict]]:
    """One parsed row as the preview holds it (values, proposed field, include) and its warnings."""
    proposal, score = propose_field(unit, parsed.field_label)
    data = {
        "row_no": parsed.row_no, "field_label": parsed.field_label, "name": parsed.name, "kind": parsed.kind,
        "origin": parsed.origin, "address": parsed.address, "content_problem": parsed.problem_html,
        "content_actors": parsed.actors_html, "content_results": parsed.results_html,
        "field_id": proposal.pk if proposal else None, "field_score": round(score, 2), "include": True,
    }
    warnings = [{"code": w.code, "message": w.message} for w in parsed.warnings]
    if proposal is None:
        warnings.append({"code": "field_unknown", "message": f"Lĩnh vực “{parsed.field_label or '(trống)'}” "
                         "chưa có trong danh mục: hãy chọn lĩnh vực phù hợp hoặc tạo lĩnh vực mới."})
    if dup := _duplicate_of(unit, year, parsed.name):
        warnings.append({"code": "duplicate", "message": f"Có thể trùng với mô hình đã đăng ký “{dup.name}” "
                         f"(năm {dup.year}, số {dup.pk})."})
        data["include"] = False
    return data, warnings


def start_import(*, by, unit: OrgUnit, year: int, files: list[tuple[str, bytes]],
                 submission: Submission | None = None) -> StartResult:
    if not scoping.can_edit_unit(by, unit):
        raise PermissionDenied("Bạn không có quyền nhập biểu mẫu cho đơn vị này.")
    if submission is not None and submission.unit_id != unit.pk:
        raise ValidationError("Hồ sơ đăng ký không thuộc đơn vị đã chọn.")
    result = StartResult(batch=None)
    parsed_files = []
    for name, data in files:
        sha = hashlib.sha256(data).hexdigest()
        if done := _already_imported(unit, sha):
            who = done.batch.confirmed_by.get_full_name() if done.batch.confirmed_by else "không rõ"
            when = timezone.localtime(done.batch.confirmed_at).strftime("%d/%m/%Y %H:%M") if done.batch.confirmed_at else ""
            result.problems.append(FileProblem(name, "already_imported",
                                               f"Tệp “{name}” đã được nhập lúc {when} bởi {who}; không nhập lại."))
            continue
        try:
            parsed = parse_form(data, name)
        except IntakeError as exc:
            result.problems.append(FileProblem(name, exc.code, exc.message))
            continue
        if not parsed.exemplars:
            result.problems.append(FileProblem(name, "empty_form", f"Không tìm thấy mô hình nào trong biểu mẫu “{name}”."))
            continue
        parsed_files.append((name, data, sha, parsed))
    if not parsed_files:
        return result
    with transaction.atomic():
        batch = ImportBatch.objects.create(unit=unit, year=year, submission=submission,
                                           round=submission.round if submission else None, created_by=by)
        for name, data, sha, parsed in parsed_files:
            stored = ImportFile.objects.create(batch=batch, file=ContentFile(data, name=name), filename=name,
                                               sha256=sha, size=len(data))
            for pos, ex in enumerate(parsed.exemplars):
                row, warnings = row_preview(ex, unit, year)
                ImportRow.objects.create(file=stored, position=pos, data=row, warnings=warnings)
                result.rows += 1
    result.batch = batch
    return result


def left_out_reason(data: dict, warnings: list[dict]) -> str:
    """Why a row is not saved: its duplicate warning, or that the person unticked it."""
    dup = next((w["message"] for w in warnings if w.get("code") == "duplicate"), None)
    if dup:
        return f"{dup} Dòng này không được chọn nhập (chọn “Nhập dòng này” nếu không trùng)."
    return "Người nhập đã bỏ chọn “Nhập dòng này”."


def left_out(batch: ImportBatch) -> list[dict]:
    """Every row of a confirmed import that was not saved, with its file, number, name and reason."""
    rows = ImportRow.objects.filter(file__batch=batch, exemplar__isnull=True).select_related("file")
    return [{"file": row.file.filename, "position": row.position + 1, "row_no": row.data.get("row_no"),
             "name": row.data.get("name", ""),
             "reason": left_out_reason(row.data, row.warnings)}
            for row in rows.order_by("file_id", "position")]


def left_out_summary(rows: list[dict]) -> str:
    """One sentence naming the rows left out (for the page's message and the CLI)."""
    return "Không nhập " + str(len(rows)) + " dòng: " + "; ".join(
        f"mô hình thứ {r['position']} của tệp «{r['file']}» “{(r['name'] or '')[:60]}” — {r['reason']}" for r in rows)


def _field_for(unit: OrgUnit, data: dict) -> Field:
    value = str(data.get("field_id") or "")
    if value.startswith("new:"):
        category = FieldCategory.objects.filter(code=value[4:]).first()
        if category is None:
            raise ValidationError("Lĩnh vực toàn quốc không hợp lệ.")
        found, _ = Field.objects.get_or_create(owner=unit, name=(data.get("field_label") or "Lĩnh vực khác").strip()[:255],
                                               defaults={"category": category})
        return found
    if value.isdigit():
        chosen = exemplar_services.fields_for_unit(unit).filter(pk=int(value)).first()
        if chosen:
            return chosen
    raise ValidationError(f"Dòng “{data.get('name', '')[:60]}”: hãy chọn lĩnh vực.")


def _check_row(data: dict) -> None:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError("Có dòng chưa có tên mô hình.")
    if data.get("kind") not in ("collective", "individual"):
        raise ValidationError(f"Dòng “{name[:60]}”: hãy chọn hình thức tập thể hoặc cá nhân.")
    if data.get("origin") not in ("new", "replication"):
        raise ValidationError(f"Dòng “{name[:60]}”: hãy chọn xây dựng mới hoặc nhân rộng.")


def _movement(year: int) -> Movement:
    found = Movement.objects.filter(period_start__lte=year, period_end__gte=year).order_by("-period_start").first()
    if found is None:
        raise ValidationError(f"Chưa có phong trào nào cho năm {year}.")
    return found


@transaction.atomic
def confirm_import(*, batch: ImportBatch, by, edits: dict[int, dict] | None = None) -> list[Exemplar]:
    """Save every included row (all or none); edits map ImportRow.pk → corrected values."""
    locked = ImportBatch.objects.select_for_update(of=("self",)).select_related("unit", "submission__round").get(pk=batch.pk)
    if locked.state != ImportBatch.State.PREVIEW:
        raise ValidationError("Lần nhập này đã được xác nhận hoặc hủy; không lưu lại lần nữa.", code="already_done")
    if not scoping.can_edit_unit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền nhập biểu mẫu cho đơn vị này.")
    sub = locked.submission
    if sub is not None and not sub.is_editable:
        raise ValidationError(f"Hồ sơ đăng ký đang “{sub.display_status()}”: không thêm mô hình được.")
    movement = _movement(locked.year)
    created: list[Exemplar] = []
    rows = list(ImportRow.objects.filter(file__batch=locked).select_for_update())
    for row in rows:
        data = {**row.data, **(edits or {}).get(row.pk, {})}
        if not data.get("include"):
            continue
        source = None
        if data.get("source_id"):
            # Chosen among the row's similar exemplars: a replication of a model the user may replicate.
            source = visible_source(by, int(data["source_id"])) if str(data["source_id"]).isdigit() else None
            if source is None:
                raise ValidationError(f"Dòng “{(data.get('name') or '')[:60]}”: mô hình nguồn đã chọn không còn "
                                      "hoặc bạn không có quyền chọn.")
            data["origin"] = "replication"
        _check_row(data)
        saved = exemplar_services.create_exemplar(
            by=by, unit=locked.unit, year=locked.year, movement=movement, field=_field_for(locked.unit, data),
            name=data["name"], kind=data["kind"], address=data.get("address", ""),
            content_problem=data.get("content_problem", ""), content_actors=data.get("content_actors", ""),
            content_results=data.get("content_results", ""), origin=data["origin"], source=source).exemplar
        row.data, row.exemplar = data, saved
        row.save(update_fields=["data", "exemplar"])
        created.append(saved)
    if not created:
        raise ValidationError("Không có dòng nào được chọn để nhập.")
    if sub is not None:
        round_services.attach_exemplars(submission=sub, exemplars=created, by=by)
    locked.state, locked.confirmed_by, locked.confirmed_at = ImportBatch.State.CONFIRMED, by, timezone.now()
    locked.save()
    return created


def cancel_import(*, batch: ImportBatch, by) -> None:
    if not scoping.can_edit_unit(by, batch.unit):
        raise PermissionDenied("Bạn không có quyền với lần nhập này.")
    ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PREVIEW).update(state=ImportBatch.State.CANCELLED)
