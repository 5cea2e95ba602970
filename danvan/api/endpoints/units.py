from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit

from ..pagination import MAX_LIMIT, page
from ..schemas import UnitOut, UnitPage
from .common import ok

router = Router(tags=["Đơn vị"])


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class UnitFilter(PageQuery):
    level: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=32)
    q: str | None = Field(None, max_length=200)


def unit_out(u: OrgUnit) -> dict:
    parent = u.path[: -u.steplen] if u.depth > 1 else None
    return {"code": u.code, "name": u.name, "level": u.level.code, "kind": u.kind.code, "depth": u.depth,
            "has_children": u.numchild > 0, "doc_family": u.doc_family, "address": u.address,
            "parent_code": getattr(u, "_parent_code", None) if parent else None}


def _with_parents(units: list[OrgUnit]) -> list[dict]:
    paths = {u.path[: -u.steplen] for u in units if u.depth > 1}
    codes = dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "code"))
    for u in units:
        u._parent_code = codes.get(u.path[: -u.steplen])  # type: ignore[attr-defined]
    return [unit_out(u) for u in units]


@router.get("/units", response=ok(UnitPage), summary="Các đơn vị trong phạm vi")
def list_units(request: HttpRequest, f: Query[UnitFilter]):
    qs = permissions.visible_units(request.user).select_related("level", "kind")
    if f.level:
        qs = qs.filter(level__code=f.level)
    if f.kind:
        qs = qs.filter(kind__code=f.kind)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(code__icontains=f.q))
    rows, nxt = page(qs, f.cursor, f.limit)
    return {"items": _with_parents(rows), "next_cursor": nxt}


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    return get_object_or_404(permissions.visible_units(request.user).select_related("level", "kind"), code=code)


@router.get("/units/{code:code}", response=ok(UnitOut), summary="Một đơn vị")
def get_unit(request: HttpRequest, code: str):
    return _with_parents([_unit(request, code)])[0]


@router.get("/units/{code:code}/children", response=ok(UnitPage), summary="Các đơn vị trực thuộc")
def unit_children(request: HttpRequest, code: str, p: Query[PageQuery]):
    node = _unit(request, code)
    qs = OrgUnit.objects.filter(path__startswith=node.path, depth=node.depth + 1).select_related("level", "kind")
    rows, nxt = page(qs, p.cursor, p.limit)
    return {"items": _with_parents(rows), "next_cursor": nxt}
