"""Imports of filled forms: upload → preview → confirm (or cancel), through danvan.intake.services.

The same rights as the pages (`danvan/intake/views.py`): a unit is chosen among those the user sees
(outside: 404) and the service refuses a unit the user may not edit (403); a batch exists only for
those who may edit its unit (others: 404). Confirm takes the corrections the preview form posts.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from danvan.exemplars.forms import MAX_CONTENT
from danvan.exemplars.models import Exemplar
from danvan.foundation import uploads
from danvan.intake import selectors as intake_selectors
from danvan.intake import services
from danvan.intake.models import ImportBatch, ImportRow
from danvan.movement.selectors import visible_submissions
from danvan.orgs import permissions

from ..errors import ApiError
from ..pagination import page
from ..schemas import SimilarList, SimilarOut, StrictIn
from .common import bad_ref, created, missing, ok
from .units import PageQuery

router = Router(tags=["Nhập biểu mẫu"])

# The page's year bounds, not a second copy of them.
_YEAR_MIN, _YEAR_MAX = services.YEAR_MIN, services.YEAR_MAX


# ---- shapes ------------------------------------------------------------------------------------

class ImportIn(StrictIn):
    unit: str = Field(max_length=64, description="Mã đơn vị của biểu mẫu (trong phạm vi bạn được sửa)")
    year: int = Field(ge=_YEAR_MIN, le=_YEAR_MAX, description="Năm đăng ký")
    submission: int | None = Field(None, ge=1, le=2**62,
                                   description="Mã số hồ sơ đăng ký của đơn vị (tùy chọn): mô hình được gắn vào hồ sơ")


class WarningOut(Schema):
    code: str
    message: str


class FileProblemOut(Schema):
    filename: str
    code: str
    message: str


class ImportFileOut(Schema):
    id: int
    filename: str
    size: int
    sha256: str
    rows: int


class ImportRowOut(Schema):
    id: int
    file: int
    position: int
    row_no: int | None = Field(None, description="Số thứ tự dòng trong biểu mẫu")
    include: bool = Field(description="Được chọn để nhập (bỏ chọn sẵn khi có thể trùng)")
    field_label: str = Field(description="Lĩnh vực như ghi trong biểu mẫu")
    field_id: int | str | None = Field(description="Lĩnh vực đề xuất (mã số), `new:<nhóm>` nếu đã chọn tạo mới")
    field_name: str | None
    field_score: float | None = Field(description="Độ giống giữa nhãn trong biểu mẫu và lĩnh vực đề xuất, 0–1")
    name: str
    kind: str | None
    origin: str | None
    address: str
    content_problem: str
    content_actors: str
    content_results: str
    source_id: int | None = Field(description="Mô hình nguồn đã chọn (nhân rộng)")
    warnings: list[WarningOut]
    possible_duplicate: bool = Field(description="Có thể trùng với mô hình đã đăng ký (xem cảnh báo `duplicate`)")
    similar: list[SimilarOut] | None = Field(
        description=f"Mô hình tương tự trong phạm vi của bạn ({intake_selectors.PREVIEW_SIMILAR_ROWS} dòng đầu; các dòng sau: "
                    "null, lấy qua /imports/{id}/rows/{row_id}/similar)")
    exemplar: int | None = Field(description="Mô hình đã tạo từ dòng này (sau khi xác nhận)")


class ImportHead(Schema):
    """What a batch is, whether listed or previewed."""

    id: int
    state: Literal["preview", "confirmed", "cancelled"]
    state_label: str
    unit: str
    unit_name: str
    year: int
    submission: int | None
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None


class ImportOut(ImportHead):
    files: list[ImportFileOut]
    rows: list[ImportRowOut]


class ImportStarted(ImportOut):
    problems: list[FileProblemOut] = Field(description="Các tệp không nhập được (tệp khác vẫn được đọc)")


Id = Annotated[int, Field(ge=1, le=2**62)]
FieldChoice = Annotated[str, Field(pattern=r"^(\d{1,18}|new:[a-z0-9-]{1,50})$")]


class RowEdit(StrictIn):
    """What the preview form lets the user change on a row; fields left out keep the values read."""

    include: bool = True
    name: str = Field("", max_length=500)
    field_id: Id | FieldChoice | None = Field(None, description="Mã số lĩnh vực của đơn vị, hoặc `new:<mã nhóm toàn quốc>`")
    kind: Literal["collective", "individual"] | None = None
    origin: Literal["new", "replication"] | None = None
    address: str = Field("", max_length=500)
    content_problem: str = Field("", max_length=MAX_CONTENT)
    content_actors: str = Field("", max_length=MAX_CONTENT)
    content_results: str = Field("", max_length=MAX_CONTENT)


class ConfirmIn(StrictIn):
    edits: dict[int, RowEdit] = Field(default_factory=dict,
                                      description="Sửa theo dòng: {mã số dòng: {trường: giá trị}} (như ô sửa ở trang xem trước)")
    replica_of: dict[int, Id] = Field(default_factory=dict,
                                      description="Ghi dòng là nhân rộng của mô hình tương tự: {mã số dòng: mã số mô hình}")


class CreatedExemplar(Schema):
    id: int
    name: str


class LeftOutRow(Schema):
    file: str
    position: int = Field(description="thứ tự của dòng trong tệp (từ 1)")
    row_no: int | None
    name: str
    reason: str = Field(description="vì sao dòng không được lưu (có thể trùng, hoặc đã bỏ chọn)")


class ConfirmOut(Schema):
    id: int
    state: str
    submission: int | None
    exemplars: list[CreatedExemplar]
    left_out: list[LeftOutRow] = Field(default_factory=list, description="các dòng không được lưu, kèm lý do")


class ImportStateOut(Schema):
    id: int
    state: str
    state_label: str


class ImportSummary(ImportHead):
    created_by: str | None
    rows: int = Field(description="Số dòng mô hình đọc được")


class ImportPage(Schema):
    items: list[ImportSummary]
    next_cursor: str | None = None


class ImportFilter(PageQuery):
    state: Literal["preview", "confirmed", "cancelled"] | None = None
    unit: str | None = Field(None, max_length=64, description="Mã đơn vị")
    year: int | None = Field(None, ge=_YEAR_MIN, le=_YEAR_MAX)


# ---- helpers -----------------------------------------------------------------------------------

def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    """The page's rule: a batch exists only for those who may edit its unit."""
    batch = get_object_or_404(ImportBatch.objects.select_related("unit", "submission__round"), pk=pk)
    if not permissions.can_edit_unit(request.user, batch.unit):
        raise Http404
    return batch


def _similar_out(s) -> dict:
    e = s.exemplar
    return {"id": e.pk, "name": e.name, "unit": e.unit.code, "unit_name": e.unit.name, "year": e.year,
            "status": e.status, "origin": e.origin, "score": s.score, "name_score": s.name_score,
            "content_score": s.content_score, "likely_duplicate": s.likely_duplicate, "reason": s.reason}


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None


def _row_out(request: HttpRequest, batch: ImportBatch, row: ImportRow, fields: dict[int, str], n: int) -> dict:
    d = row.data or {}
    field_id = d.get("field_id")
    fid = _int_or_none(field_id)
    field_id = fid if fid is not None else (field_id or None)
    warnings = [{"code": str(w.get("code", "")), "message": str(w.get("message", ""))} for w in row.warnings or []]
    return {
        "id": row.pk, "file": row.file_id, "position": row.position, "row_no": d.get("row_no"),
        "include": bool(d.get("include")), "field_label": d.get("field_label") or "", "field_id": field_id,
        "field_name": fields.get(fid) if fid is not None else None, "field_score": d.get("field_score"),
        "name": d.get("name") or "", "kind": d.get("kind") or None, "origin": d.get("origin") or None,
        "address": d.get("address") or "", "content_problem": d.get("content_problem") or "",
        "content_actors": d.get("content_actors") or "", "content_results": d.get("content_results") or "",
        "source_id": _int_or_none(d.get("source_id")), "warnings": warnings,
        "possible_duplicate": any(w["code"] == "duplicate" for w in warnings),
        "similar": ([_similar_out(s) for s in intake_selectors.row_similar(request.user, batch, row)]
                    if n <= intake_selectors.PREVIEW_SIMILAR_ROWS else None),
        "exemplar": row.exemplar_id,
    }


def _head(batch: ImportBatch) -> dict:
    return {"id": batch.pk, "state": batch.state, "state_label": batch.get_state_display(), "unit": batch.unit.code,
            "unit_name": batch.unit.name, "year": batch.year, "submission": batch.submission_id,
            "created_at": batch.created_at, "confirmed_at": batch.confirmed_at}


def import_out(request: HttpRequest, batch: ImportBatch) -> dict:
    files = list(batch.files.prefetch_related("rows").order_by("pk"))
    rows = [r for f in files for r in f.rows.all()]
    ids = {i for r in rows if (i := _int_or_none((r.data or {}).get("field_id"))) is not None}
    fields = dict(services.exemplar_services.fields_for_unit(batch.unit).filter(pk__in=ids).values_list("pk", "name"))
    return {
        **_head(batch),
        "files": [{"id": f.pk, "filename": f.filename, "size": f.size, "sha256": f.sha256, "rows": len(f.rows.all())}
                  for f in files],
        "rows": [_row_out(request, batch, r, fields, n) for n, r in enumerate(rows, 1)],
    }


def _refused(problems: list[services.FileProblem]) -> ApiError:
    """No file could be read: nothing was saved. One code when all files failed alike."""
    codes = {p.code for p in problems}
    code = codes.pop() if len(codes) == 1 else "files_rejected"
    status = 409 if code == "already_imported" else 400
    message = " ".join(f"{p.filename}: {p.message}" for p in problems) or "Không có tệp nào nhập được."
    return ApiError(status, code, message,
                    {"files": [{"filename": p.filename, "code": p.code, "message": p.message} for p in problems]})


def _done(batch: ImportBatch) -> ApiError:
    batch.refresh_from_db(fields=["state"])
    if batch.state == ImportBatch.State.CANCELLED:
        return ApiError(409, "already_cancelled", "Lần nhập này đã bị hủy; không xác nhận được.")
    return ApiError(409, "already_confirmed", "Lần nhập này đã được xác nhận; không lưu lại lần nữa.")


# ---- endpoints ---------------------------------------------------------------------------------

@router.post("/imports", response=created(ImportStarted),
             summary="Tải lên biểu mẫu đã điền (Word/Excel) và xem trước các mô hình đọc được")
def start_import(request: HttpRequest, data: Form[ImportIn], files: File[list[UploadedFile]]):
    unit = permissions.visible_units(request.user).filter(code=data.unit).first()
    if unit is None:
        raise missing("unit", "Không tìm thấy đơn vị trong phạm vi của bạn.")
    sub = None
    if data.submission is not None:
        sub = visible_submissions(request.user).filter(pk=data.submission).first()
        if sub is None:
            raise missing("submission", "Không tìm thấy hồ sơ đăng ký trong phạm vi của bạn.")
    if refused := uploads.refusal(request):  # a file past the limit, found while it streamed in
        raise ApiError(413, "too_large", refused, uploads.refusal_details(request))
    if too_many := services.file_count_error(len(files)):
        raise bad_ref("files", too_many)
    result = services.start_import(by=request.user, unit=unit, year=data.year, submission=sub,
                                   files=[(f.name or "bieu-mau", f) for f in files])
    if result.batch is None:
        raise _refused(result.problems)
    batch = _batch(request, result.batch.pk)
    problems = [{"filename": p.filename, "code": p.code, "message": p.message} for p in result.problems]
    return Status(201, {**import_out(request, batch), "problems": problems})


@router.get("/imports", response=ok(ImportPage),
            summary="Các lần nhập biểu mẫu của những đơn vị bạn được sửa (cũ trước, phân trang bằng next_cursor)")
def list_imports(request: HttpRequest, f: Query[ImportFilter]):
    # The page's rule, as in `_batch`: a batch exists only for those who may edit its unit.
    qs = (ImportBatch.objects.filter(unit__in=permissions.editable_units(request.user))
          .select_related("unit", "created_by").annotate(n_rows=Count("files__rows")))
    if f.state:
        qs = qs.filter(state=f.state)
    if f.unit:
        qs = qs.filter(unit__code=f.unit)
    if f.year is not None:
        qs = qs.filter(year=f.year)
    rows, nxt = page(qs, f.cursor, f.limit)
    return {"items": [{**_head(b), "created_by": b.created_by.username if b.created_by else None, "rows": b.n_rows}
                      for b in rows],
            "next_cursor": nxt}


@router.get("/imports/{pk}", response=ok(ImportOut), summary="Xem trước một lần nhập biểu mẫu")
def get_import(request: HttpRequest, pk: int):
    return import_out(request, _batch(request, pk))


@router.get("/imports/{pk}/rows/{row_pk}/similar", response=ok(SimilarList),
            summary="Mô hình tương tự của một dòng trong lần nhập (trong phạm vi của bạn)")
def row_similar_list(request: HttpRequest, pk: int, row_pk: int):
    batch = _batch(request, pk)
    row = get_object_or_404(ImportRow, pk=row_pk, file__batch=batch)
    return {"items": [_similar_out(s) for s in intake_selectors.row_similar(request.user, batch, row)]}


@router.post("/imports/{pk}/confirm", response=ok(ConfirmOut),
             summary="Xác nhận lần nhập: lưu mọi dòng được chọn (tất cả hoặc không dòng nào)")
def confirm_import(request: HttpRequest, pk: int, body: ConfirmIn | None = None):
    batch = _batch(request, pk)
    body = body or ConfirmIn()
    row_ids = set(ImportRow.objects.filter(file__batch=batch).values_list("pk", flat=True))
    edits: dict[int, dict] = {}
    for key, ref in (("edits", body.edits), ("replica_of", body.replica_of)):
        if unknown := sorted(set(ref) - row_ids):
            raise bad_ref(key, f"Dòng {', '.join(map(str, unknown[:5]))} không thuộc lần nhập này.")
    for row_pk, edit in body.edits.items():
        edits[row_pk] = {k: v.strip() if k in ("name", "address") else v
                         for k, v in edit.dict(exclude_unset=True).items()}
    for row_pk, source_pk in body.replica_of.items():
        edits.setdefault(row_pk, {})["source_id"] = source_pk
    if batch.state != ImportBatch.State.PREVIEW:
        raise _done(batch)
    try:
        saved: list[Exemplar] = services.confirm_import(batch=batch, by=request.user, edits=edits)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_done":
            raise _done(batch) from None
        if getattr(exc, "code", None) == "already_imported":  # the same file, confirmed in another batch
            raise ApiError(409, "already_confirmed", " ".join(exc.messages)) from None
        raise
    except PermissionDenied:
        raise Http404 from None  # as on the page
    return {"id": batch.pk, "state": ImportBatch.State.CONFIRMED, "submission": batch.submission_id,
            "exemplars": [{"id": e.pk, "name": e.name} for e in saved], "left_out": services.left_out(batch)}


@router.post("/imports/{pk}/cancel", response=ok(ImportStateOut),
             summary="Hủy lần nhập (không lưu mô hình nào; hủy lại lần nữa không sao)")
def cancel_import(request: HttpRequest, pk: int):
    batch = _batch(request, pk)
    try:
        services.cancel_import(batch=batch, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    batch.refresh_from_db(fields=["state"])
    if batch.state == ImportBatch.State.CONFIRMED:
        raise ApiError(409, "already_confirmed", "Lần nhập này đã được xác nhận; không hủy được.")
    return {"id": batch.pk, "state": batch.state, "state_label": batch.get_state_display()}
