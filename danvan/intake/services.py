"""Importing filled forms: upload → preview (with proposals and warnings) → confirm.

One code path for the page, the API and `danvan import-forms`: `start_import` parses and keeps the
files; `confirm_import` saves every included row through the exemplar service (all or none)
and attaches them to the unit's registration when the import belongs to one. Both do their slow
work before a short write transaction, so an import of 2,000 rows holds SQLite's one write lock
for a moment only (issue 21 §7).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from danvan.exemplars import services as exemplar_services
from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.exemplars.selectors import visible_source
from danvan.foundation.writes import write_transaction
from danvan.movement import services as round_services
from danvan.movement.models import Submission
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor
from danvan.search.text import fold_key as fold

from . import IntakeError, parse_form
from .filetype import too_large
from .model import TOO_LARGE
from .models import ImportBatch, ImportFile, ImportRow
from .parser import DEFAULT_LIMITS, display_name

MAX_FILES = 30  # files in one upload (page and API; the CLI reads a folder)
YEAR_MIN, YEAR_MAX = 2000, 2100


def file_count_error(count: int) -> str | None:
    """Why an upload of `count` files is refused, or None."""
    if not count:
        return "Hãy chọn ít nhất một tệp biểu mẫu."
    if count > MAX_FILES:
        return f"Mỗi lần chỉ nhập tối đa {MAX_FILES} tệp."
    return None


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


class Previewer:
    """What the preview proposes for the rows of one unit and year: the closest field to each form's label and
    the possible duplicates among the unit's exemplars of the year and the one before. The unit's fields and
    those exemplars are read once, however many rows there are (a form holds up to 2,000)."""

    def __init__(self, unit: OrgUnit, year: int):
        self.unit, self.year = unit, year
        self.fields = [(f, fold(f.name)) for f in exemplar_services.fields_for_unit(unit)]
        self._proposals: dict[str, tuple[Field | None, float]] = {}
        self._existing: list[tuple[str, Exemplar]] | None = None

    def propose_field(self, label: str) -> tuple[Field | None, float]:
        """The unit's (or an ancestor's) field closest to a form's "Lĩnh vực ..." label."""
        if label not in self._proposals:
            target = fold(label)
            best: tuple[Field | None, float] = (None, 0.0)
            for f, folded in self.fields:
                score = difflib.SequenceMatcher(None, target, folded).ratio()
                if score > best[1]:
                    best = (f, score)
            self._proposals[label] = best if best[1] >= 0.75 else (None, best[1])
        return self._proposals[label]

    def duplicates(self, names: list[str]) -> list[Exemplar | None]:
        """For each name, the first existing exemplar (in the list's order) whose name is at least 90% alike."""
        if self._existing is None:
            self._existing = [(fold(ex.name), ex) for ex in Exemplar.objects.alive().filter(
                unit=self.unit, year__in=[self.year - 1, self.year]).only("pk", "name", "year")]
        found: list[Exemplar | None] = [None] * len(names)
        todo = {i: fold(n) for i, n in enumerate(names)}
        matcher = difflib.SequenceMatcher(None)
        for folded_ex, ex in self._existing:
            if not todo:
                break
            matcher.set_seq2(folded_ex)  # difflib caches what it learns about the second sequence
            for i, folded in list(todo.items()):
                matcher.set_seq1(folded)
                if matcher.real_quick_ratio() >= 0.9 and matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9:
                    found[i] = ex
                    del todo[i]
        return found

    def rows(self, parsed_rows: list) -> list[tuple[dict, list[dict]]]:
        """Each parsed row as the preview holds it (values, proposed field, include) and its warnings."""
        dups = self.duplicates([p.name for p in parsed_rows])
        return [self._row(parsed, dup) for parsed, dup in zip(parsed_rows, dups, strict=True)]

    def _row(self, parsed, dup: Exemplar | None) -> tuple[dict, list[dict]]:
        proposal, score = self.propose_field(parsed.field_label)
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
        if dup is not None:
            warnings.append({"code": "duplicate", "message": f"Có thể trùng với mô hình đã đăng ký “{dup.name}” "
                             f"(năm {dup.year}, số {dup.pk})."})
            data["include"] = False
        return data, warnings


def propose_field(unit: OrgUnit, label: str) -> tuple[Field | None, float]:
    """The unit's (or an ancestor's) field closest to a form's "Lĩnh vực ..." label."""
    return Previewer(unit, 0).propose_field(label)


def row_preview(parsed, unit: OrgUnit, year: int) -> tuple[dict, list[dict]]:
    """One parsed row as the preview holds it (see `Previewer.rows`, which reads the unit's data once)."""
    return Previewer(unit, year).rows([parsed])[0]


def _already_imported(unit: OrgUnit, sha: str) -> ImportFile | None:
    return ImportFile.objects.filter(
        sha256=sha, batch__unit=unit, batch__state=ImportBatch.State.CONFIRMED).select_related(
        "batch__confirmed_by").first()


def _size(src) -> int:
    return len(src) if isinstance(src, bytes | bytearray) else int(src.size or 0)


def _read(src) -> bytes:
    if isinstance(src, bytes | bytearray):
        return bytes(src)
    src.seek(0)
    return src.read()


def _stored(name: str, src, data: bytes):
    """What storage keeps: the upload itself (streamed in chunks) or the bytes given."""
    if isinstance(src, bytes | bytearray):
        return ContentFile(data, name=name)
    src.seek(0)
    return File(src, name=name)


def _imported_message(name: str, done: ImportFile) -> str:
    who = done.batch.confirmed_by.get_full_name() if done.batch.confirmed_by else "không rõ"
    when = timezone.localtime(done.batch.confirmed_at).strftime("%d/%m/%Y %H:%M") if done.batch.confirmed_at else ""
    return f"Tệp “{name}” đã được nhập lúc {when} bởi {who}; không nhập lại."


def start_import(*, by: Actor, unit: OrgUnit, year: int, files: list[tuple[str, Any]],
                 submission: Submission | None = None) -> StartResult:
    """Parse the files and keep them with their rows as a preview. ``files``: (name, bytes) or (name, uploaded
    file); each file's size is checked before it is read and files are read one at a time, so 30 uploads never
    sit in memory together. Parsing and the proposals (fields, duplicates) are done first; the files are stored,
    then the batch and its rows written in one short transaction (a few statements, whatever the number of rows)."""
    if not permissions.can_edit_unit(by, unit):
        raise PermissionDenied("Bạn không có quyền nhập biểu mẫu cho đơn vị này.")
    if submission is not None and submission.unit_id != unit.pk:
        raise ValidationError("Hồ sơ đăng ký không thuộc đơn vị đã chọn.")
    if submission is not None and submission.round.year != year:
        # A model registered in a round belongs to that round's year (movement.services.attach_exemplars).
        raise ValidationError(f"Hồ sơ đăng ký năm {submission.round.year} chỉ nhận mô hình năm "
                              f"{submission.round.year}; hãy chọn năm {submission.round.year}.")
    result = StartResult(batch=None)
    parsed_files = []
    seen: dict[str, str] = {}
    limit = DEFAULT_LIMITS.upload_bytes
    for name, src in files:
        if (size := _size(src)) > limit:
            result.problems.append(FileProblem(name, TOO_LARGE, too_large(display_name(name), size, limit).message))
            continue
        data = _read(src)
        sha = hashlib.sha256(data).hexdigest()
        if done := _already_imported(unit, sha):
            result.problems.append(FileProblem(name, "already_imported", _imported_message(name, done)))
            continue
        if sha in seen:
            result.problems.append(FileProblem(name, "duplicate_file", f"Tệp “{name}” giống hệt tệp “{seen[sha]}” "
                                               "trong cùng lần tải lên; chỉ nhập một lần."))
            continue
        seen[sha] = name
        try:
            parsed = parse_form(data, name)
        except IntakeError as exc:
            result.problems.append(FileProblem(name, exc.code, exc.message))
            continue
        if not parsed.exemplars:
            result.problems.append(FileProblem(name, "empty_form", f"Không tìm thấy mô hình nào trong biểu mẫu “{name}”."))
            continue
        # Bytes given are kept (they are the caller's); an upload is read again from its file when stored.
        parsed_files.append((name, src, data if isinstance(src, bytes | bytearray) else b"", sha, size, parsed))
        del data
    if not parsed_files:
        return result
    previewer = Previewer(unit, year)
    prepared = [(name, src, data, sha, size, previewer.rows(parsed.exemplars))
                for name, src, data, sha, size, parsed in parsed_files]
    field_file = ImportFile._meta.get_field("file")
    stored: list[str] = []
    try:
        for name, src, data, *_rest in prepared:  # the files reach storage before the write lock
            path = field_file.generate_filename(None, name)  # type: ignore[arg-type]  # upload_to is a plain path
            stored.append(field_file.storage.save(path, _stored(name, src, data)))
        with write_transaction("intake.start_import"):
            batch = ImportBatch.objects.create(unit=unit, year=year, submission=submission,
                                               round=submission.round if submission else None, created_by=permissions.author(by))
            files_made = ImportFile.objects.bulk_create([
                ImportFile(batch=batch, file=path, filename=name, sha256=sha, size=size)
                for path, (name, _src, _data, sha, size, _rows) in zip(stored, prepared, strict=True)])
            ImportRow.objects.bulk_create([
                ImportRow(file=f, position=pos, data=row, warnings=warnings)
                for f, (*_rest, rows) in zip(files_made, prepared, strict=True)
                for pos, (row, warnings) in enumerate(rows)], batch_size=exemplar_services.BULK_BATCH)
    except BaseException:
        for path in stored:
            field_file.storage.delete(path)
        raise
    result.rows = sum(len(p[-1]) for p in prepared)
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


class _Fields:
    """The fields a confirm's rows choose: the unit's and its ancestors' (read once), and new fields of the
    unit named after a form's label ("new:<national field>"), made in the write if they do not exist yet."""

    def __init__(self, unit: OrgUnit):
        self.unit = unit
        self.usable = {f.pk: f for f in exemplar_services.fields_for_unit(unit)}
        self.categories = {c.code: c for c in FieldCategory.objects.all()}
        self.new: dict[str, Field] = {}  # name → the unit's field (unsaved when it does not exist yet)

    def of(self, data: dict) -> Field:
        value = str(data.get("field_id") or "")
        if value.startswith("new:"):
            category = self.categories.get(value[4:])
            if category is None:
                raise ValidationError("Lĩnh vực toàn quốc không hợp lệ.")
            name = (data.get("field_label") or "Lĩnh vực khác").strip()[:255]
            if name not in self.new:
                self.new[name] = Field(owner=self.unit, name=name, category=category)
            return self.new[name]
        if value.isdigit() and (chosen := self.usable.get(int(value))):
            return chosen
        raise ValidationError(f"Dòng “{data.get('name', '')[:60]}”: hãy chọn lĩnh vực.")

    def existing_new(self) -> None:
        """Fields named like the new ones that the unit already has are used instead (read before the write)."""
        if self.new:
            for f in Field.objects.filter(owner=self.unit, name__in=list(self.new)):
                self.new[f.name] = f

    def save_new(self) -> None:
        """In the write: the new fields that do not exist yet (one INSERT; one made meanwhile is kept)."""
        missing = [f for f in self.new.values() if f.pk is None]
        if not missing:
            return
        Field.objects.bulk_create(missing, ignore_conflicts=True)
        made = {f.name: f.pk for f in Field.objects.filter(owner=self.unit, name__in=[f.name for f in missing])}
        for f in missing:
            f.pk = made[f.name]


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


def _mark_rows(marks: list[tuple[ImportRow, dict, int]]) -> None:
    """Each saved row gets its exemplar, and keeps the values saved when the edits changed them: one statement
    run for every row (executemany), not an UPDATE built row by row."""
    table, data_field = ImportRow._meta.db_table, ImportRow._meta.get_field("data")
    changed = [(data_field.get_db_prep_save(data, connection), ex_pk, row.pk)
               for row, data, ex_pk in marks if data != row.data]
    same = [(ex_pk, row.pk) for row, data, ex_pk in marks if data == row.data]
    with connection.cursor() as cur:
        if changed:
            cur.executemany(f"UPDATE {table} SET data = %s, exemplar_id = %s WHERE id = %s", changed)
        if same:
            cur.executemany(f"UPDATE {table} SET exemplar_id = %s WHERE id = %s", same)


ALREADY_DONE = "Lần nhập này đã được xác nhận hoặc hủy; không lưu lại lần nữa."


def _check_batch(batch: ImportBatch, by: Actor) -> None:
    if batch.state != ImportBatch.State.PREVIEW:
        raise ValidationError(ALREADY_DONE, code="already_done")
    if not permissions.can_edit_unit(by, batch.unit):
        raise PermissionDenied("Bạn không có quyền nhập biểu mẫu cho đơn vị này.")
    sub = batch.submission
    if sub is not None and not sub.is_editable:
        raise ValidationError(f"Hồ sơ đăng ký đang “{sub.display_status()}”: không thêm mô hình được.")


def confirm_import(*, batch: ImportBatch, by: Actor, edits: dict[int, dict] | None = None) -> list[Exemplar]:
    """Save every included row (all or none); edits map ImportRow.pk → corrected values.

    Everything slow happens first, reading only: the rows with their edits, the sources chosen, the fields,
    sanitizing and validating each exemplar as `create_exemplar` would. Then one short write transaction
    (`write_transaction`): the batch locked and checked again, the exemplars inserted in bulk with their
    history, search entries and tally counts, the rows marked, the exemplars attached to the registration.
    The number of statements grows with rows / `BULK_BATCH`, not with rows."""
    current = ImportBatch.objects.select_related("unit", "submission__round").get(pk=batch.pk)
    _check_batch(current, by)
    unit = current.unit
    movement = _movement(current.year)
    fields = _Fields(unit)
    rows = list(ImportRow.objects.filter(file__batch=current))
    chosen: list[tuple[ImportRow, dict]] = []
    sources: dict[int, Exemplar | None] = {}
    for row in rows:
        data = {**row.data, **(edits or {}).get(row.pk, {})}
        if not data.get("include"):
            continue
        source = None
        if data.get("source_id"):
            # Chosen among the row's similar exemplars: a replication of a model the user may replicate.
            pk = int(data["source_id"]) if str(data["source_id"]).isdigit() else 0
            if pk not in sources:
                sources[pk] = visible_source(by, pk) if pk else None
            source = sources[pk]
            if source is None:
                raise ValidationError(f"Dòng “{(data.get('name') or '')[:60]}”: mô hình nguồn đã chọn không còn "
                                      "hoặc bạn không có quyền chọn.")
            data["origin"] = "replication"
        _check_row(data)
        data["_field"], data["_source"] = fields.of(data), source
        chosen.append((row, data))
    if not chosen:
        raise ValidationError("Không có dòng nào được chọn để nhập.")
    fields.existing_new()
    built = exemplar_services.build_new_exemplars(by=by, unit=unit, rows=[{
        "year": current.year, "movement": movement, "field": data["_field"], "name": data["name"],
        "kind": data["kind"], "address": data.get("address", ""), "content_problem": data.get("content_problem", ""),
        "content_actors": data.get("content_actors", ""), "content_results": data.get("content_results", ""),
        "origin": data["origin"], "source": data["_source"]} for _row, data in chosen])
    exemplars = built.exemplars  # a new field's id is read from it when they are inserted
    for _row, data in chosen:
        data.pop("_field"), data.pop("_source")

    with write_transaction("intake.confirm_import"):
        locked = ImportBatch.objects.select_for_update(of=("self",)).select_related(
            "unit", "submission__round").get(pk=current.pk)
        _check_batch(locked, by)
        _claim_files(locked)
        fields.save_new()
        exemplar_services.save_new_exemplars(built)
        _mark_rows([(row, data, ex.pk) for (row, data), ex in zip(chosen, exemplars, strict=True)])
        if locked.submission is not None:
            round_services.attach_exemplars(submission=locked.submission, exemplars=exemplars, by=by)
        locked.state, locked.confirmed_by, locked.confirmed_at = ImportBatch.State.CONFIRMED, permissions.author(by), timezone.now()
        locked.save()
    return exemplars


def _claim_files(batch: ImportBatch) -> None:
    """Mark the batch's files imported for its unit before anything is saved: a file another batch of the unit
    confirmed is refused. The unique (confirmed_unit, sha256) makes a second confirm running at the same moment wait
    on the first and then fail here — on the same file uploaded twice, previewed twice, confirmed twice."""
    for f in batch.files.all():
        if done := _already_imported(batch.unit, f.sha256):
            raise ValidationError(_imported_message(f.filename, done) + " Lần nhập này không lưu gì.",
                                  code="already_imported")
    try:
        with transaction.atomic():
            ImportFile.objects.filter(batch=batch).update(confirmed_unit=batch.unit)
    except IntegrityError:
        raise ValidationError("Tệp của lần nhập này vừa được nhập cho đơn vị trong một lần nhập khác; lần nhập này "
                              "không lưu gì.", code="already_imported") from None


def cancel_import(*, batch: ImportBatch, by: Actor) -> None:
    if not permissions.can_edit_unit(by, batch.unit):
        raise PermissionDenied("Bạn không có quyền với lần nhập này.")
    ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PREVIEW).update(state=ImportBatch.State.CANCELLED)


def _delete_stored(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def expire_batches(*, before) -> tuple[int, int]:
    """Delete the imports never confirmed (previewed or cancelled) uploaded before ``before``: their rows, their
    files and the stored bytes (once the deletion is committed). (batches, files) deleted."""
    stale = ImportBatch.objects.filter(created_at__lt=before).exclude(state=ImportBatch.State.CONFIRMED)
    storage = ImportFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    batches = files = 0
    for batch in stale.iterator():
        with transaction.atomic():
            stored = [f.file.name for f in batch.files.all() if f.file.name]
            batch.delete()
            transaction.on_commit(partial(_delete_stored, storage, stored))
        batches, files = batches + 1, files + len(stored)
    return batches, files
