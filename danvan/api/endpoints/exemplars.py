"""Exemplars: every write goes through danvan.exemplars.services, every read through its selectors."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from danvan.exemplars import services
from danvan.exemplars.models import Exemplar, Movement
from danvan.exemplars.models import Field as ExField
from danvan.exemplars.selectors import (
    restorable_exemplars,
    sees_deleted,
    visible_exemplars,
    visible_source,
)
from danvan.orgs import permissions
from danvan.search.services import search
from danvan.search.similar import similar_to_exemplar

from ..pagination import page
from ..schemas import (
    ExemplarIn,
    ExemplarOut,
    ExemplarPage,
    ExemplarPatch,
    ExemplarSaved,
    SimilarList,
)
from .common import bad_ref, created, missing, ok
from .units import PageQuery

router = Router(tags=["Mô hình, điển hình"])


class ExemplarFilter(PageQuery):
    year: int | None = Field(None, ge=0, le=9999)
    field: int | None = Field(None, ge=1, le=2**62)
    kind: str | None = Field(None, max_length=20)
    origin: str | None = Field(None, max_length=20)
    unit: str | None = Field(None, max_length=64, description="Mã đơn vị")
    subtree: bool = Field(False, description="Gồm cả các đơn vị cấp dưới của `unit`")
    q: str | None = Field(None, max_length=300, description="Tìm toàn văn, không phân biệt dấu (“tiet kiem dien”)")
    include_deleted: bool = Field(False, description="Gồm cả mô hình đã xóa (chỉ quản trị viên thấy)")


def exemplar_out(ex: Exemplar) -> dict:
    return {
        "id": ex.pk, "unit": ex.unit.code, "unit_name": ex.unit.name, "year": ex.year, "movement": ex.movement_id,
        "field": ex.field_id, "field_name": ex.field.name, "name": ex.name, "kind": ex.kind, "address": ex.address,
        "content_problem": ex.content_problem, "content_actors": ex.content_actors,
        "content_results": ex.content_results, "origin": ex.origin, "source": ex.source_id, "status": ex.status,
        "version": ex.version, "created_at": ex.created_at, "updated_at": ex.updated_at, "deleted": ex.is_deleted,
    }


def _get(request: HttpRequest, pk: int, include_deleted: bool = True) -> Exemplar:
    qs = visible_exemplars(request.user, include_deleted=include_deleted).select_related("unit", "field")
    ex = get_object_or_404(qs, pk=pk)
    if not sees_deleted(request.user, ex):
        raise Http404
    return ex


def _resolve(request: HttpRequest, data: dict) -> dict:
    """Turn codes and ids into objects, with the same scope rules as the form's choices."""
    out = dict(data)
    if "unit" in data:
        unit = permissions.visible_units(request.user).filter(code=data["unit"]).first()
        if unit is None:
            raise missing("unit", "Không tìm thấy đơn vị trong phạm vi của bạn.")
        out["unit"] = unit
    if "movement" in data:
        if (movement := Movement.objects.filter(pk=data["movement"]).first()) is None:
            raise bad_ref("movement", "Không có phong trào này.")
        out["movement"] = movement
    if "field" in data:
        if (field := ExField.objects.filter(pk=data["field"]).first()) is None:
            raise bad_ref("field", "Không có lĩnh vực này.")
        out["field"] = field
    if "source" in data:
        source = visible_source(request.user, data["source"])
        if data["source"] and source is None:
            raise bad_ref("source", "Không tìm thấy mô hình nguồn trong phạm vi của bạn.")
        out["source"] = source
    return out


@router.get("/exemplars", response=ok(ExemplarPage), summary="Danh sách mô hình (lọc như trang danh sách)")
def list_exemplars(request: HttpRequest, f: Query[ExemplarFilter]):
    base = visible_exemplars(request.user)
    if f.include_deleted:
        base = base | restorable_exemplars(request.user)
    params = f.dict(exclude={"cursor", "limit", "include_deleted"})
    params["subtree"] = "1" if f.subtree else ""
    # The same full-text search as the list page and `danvan search` (filters applied inside).
    # Every match, paged by primary key: unranked and uncapped (`ranked=False`).
    qs = cast("QuerySet[Exemplar]", search(request.user, f.q or "", params, base=base, ranked=False).qs)
    qs = qs.select_related("unit", "field")
    rows, nxt = page(qs, f.cursor, f.limit)
    return {"items": [exemplar_out(e) for e in rows], "next_cursor": nxt}


@router.post("/exemplars", response=created(ExemplarSaved), summary="Thêm mô hình")
def create_exemplar(request: HttpRequest, body: ExemplarIn):
    result = services.create_exemplar(by=request.user, **_resolve(request, body.dict()))
    return Status(201, {"exemplar": exemplar_out(result.exemplar), "warnings": result.warnings})


@router.get("/exemplars/{pk}", response=ok(ExemplarOut), summary="Một mô hình")
def get_exemplar(request: HttpRequest, pk: int):
    return exemplar_out(_get(request, pk))


class SimilarQuery(Schema):
    limit: int = Field(5, ge=1, le=20, description="Số mô hình tương tự tối đa")


@router.get("/exemplars/{pk}/similar", response=ok(SimilarList),
            summary="Mô hình tương tự (theo tên và nội dung, trong phạm vi của bạn)")
def similar_exemplars(request: HttpRequest, pk: int, q: Query[SimilarQuery]):
    ex = _get(request, pk, include_deleted=False)
    items = [{"id": s.exemplar.pk, "name": s.exemplar.name, "unit": s.exemplar.unit.code,
              "unit_name": s.exemplar.unit.name, "year": s.exemplar.year, "status": s.exemplar.status,
              "origin": s.exemplar.origin, "score": s.score, "name_score": s.name_score,
              "content_score": s.content_score, "likely_duplicate": s.likely_duplicate, "reason": s.reason}
             for s in similar_to_exemplar(request.user, ex, limit=q.limit)]
    return {"items": items}


@router.patch("/exemplars/{pk}", response=ok(ExemplarSaved),
              summary="Sửa mô hình (gửi kèm version đã đọc; lệch phiên bản trả 409)")
def update_exemplar(request: HttpRequest, pk: int, body: ExemplarPatch):
    ex = _get(request, pk, include_deleted=False)
    data = body.dict(exclude_unset=True)
    version = data.pop("version")
    result = services.update_exemplar(exemplar=ex, by=request.user, expected_version=version,
                                      **_resolve(request, data))
    return {"exemplar": exemplar_out(result.exemplar), "warnings": result.warnings}


@router.delete("/exemplars/{pk}", response=ok(ExemplarOut), summary="Xóa mềm (khôi phục được)")
def delete_exemplar(request: HttpRequest, pk: int):
    ex = services.delete_exemplar(exemplar=_get(request, pk, include_deleted=False), by=request.user)
    return exemplar_out(ex)


@router.post("/exemplars/{pk}/restore", response=ok(ExemplarOut), summary="Khôi phục (quản trị viên)")
def restore_exemplar(request: HttpRequest, pk: int):
    ex = services.restore_exemplar(exemplar=_get(request, pk), by=request.user)
    return exemplar_out(ex)
