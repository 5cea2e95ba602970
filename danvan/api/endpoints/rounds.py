"""Rounds: launch, relay and completeness, through danvan.movement.services and selectors."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from pydantic import Field

from danvan.exemplars.models import Movement
from danvan.movement import selectors, services
from danvan.movement.models import RegistrationRound
from danvan.orgs import permissions
from danvan.orgs.models import Level, OrgUnit, UnitKind

from ..pagination import page
from ..schemas import LaunchIn, RelayIn, RoundOut, RoundPage, RoundPatch, RoundSaved
from .common import bad_ref, created, missing, ok
from .units import PageQuery

router = Router(tags=["Đợt đăng ký"])


class RoundFilter(PageQuery):
    year: int | None = Field(None, ge=0, le=9999)
    issuer: str | None = Field(None, max_length=64, description="Mã đơn vị phát động")


def round_out(r: RegistrationRound) -> dict:
    return {
        "id": r.pk, "title": r.title, "year": r.year, "issuer": r.issuer.code, "issuer_name": r.issuer.name,
        "movement": r.movement_id, "deadline": r.deadline, "min_total": r.min_total,
        "min_collective": r.min_collective, "min_individual": r.min_individual, "target_mode": r.target_mode,
        "parent_round": r.parent_round_id, "root": r.root_id, "guidance": r.guidance,
        "instructions": r.instructions, "version": r.version,
    }


def _round(request: HttpRequest, pk: int) -> RegistrationRound:
    return get_object_or_404(selectors.visible_rounds(request.user).select_related("issuer"), pk=pk)


def _visible_unit(request: HttpRequest, code: str, field: str) -> OrgUnit:
    unit = permissions.visible_units(request.user).filter(code=code).first()
    if unit is None:
        raise missing(field, "Không tìm thấy đơn vị trong phạm vi của bạn.")
    return unit


@router.get("/rounds", response=ok(RoundPage), summary="Các đợt đăng ký nhìn thấy được")
def list_rounds(request: HttpRequest, f: Query[RoundFilter]):
    qs = selectors.visible_rounds(request.user).select_related("issuer")
    if f.year is not None:
        qs = qs.filter(year=f.year)
    if f.issuer:
        qs = qs.filter(issuer__code=f.issuer)
    rows, nxt = page(qs, f.cursor, f.limit)
    return {"items": [round_out(r) for r in rows], "next_cursor": nxt}


@router.get("/rounds/{pk}", response=ok(RoundOut), summary="Một đợt đăng ký")
def get_round(request: HttpRequest, pk: int):
    return round_out(_round(request, pk))


@router.get("/rounds/{pk}/completeness", response=ok(dict),
            summary="Tiến độ theo cấp và theo nhánh (cùng số liệu với trang và lệnh `danvan round status`)")
def round_completeness(request: HttpRequest, pk: int, unit: str | None = Query(None, max_length=64)):
    rnd = _round(request, pk)
    node = selectors.completeness_node(request.user, rnd, unit)
    if node is None:
        raise Http404
    return selectors.completeness_dict(selectors.completeness(rnd.family_root, node))


@router.post("/rounds", response=created(RoundSaved), summary="Phát động đợt đăng ký")
def launch(request: HttpRequest, body: LaunchIn):
    issuer = _visible_unit(request, body.issuer, "issuer")
    movement = Movement.objects.filter(pk=body.movement).first()
    if movement is None:
        raise bad_ref("movement", "Không có phong trào này.")
    result = services.launch_round(
        issuer=issuer, by=request.user, movement=movement, year=body.year, title=body.title,
        guidance=body.guidance, instructions=body.instructions, deadline=body.deadline,
        min_total=body.min_total, min_collective=body.min_collective, min_individual=body.min_individual,
        target_mode=body.target_mode, target_units=list(OrgUnit.objects.filter(code__in=body.target_units)),
        target_levels=list(Level.objects.filter(code__in=body.target_levels)),
        target_kinds=list(UnitKind.objects.filter(code__in=body.target_kinds)),
    )
    return Status(201, {"round": round_out(result.obj), "warnings": result.warnings})


@router.post("/rounds/{pk}/relay", response=created(RoundSaved),
             summary="Chuyển tiếp đợt xuống các đơn vị trực thuộc của một đơn vị")
def relay(request: HttpRequest, pk: int, body: RelayIn):
    rnd = _round(request, pk)
    unit = _visible_unit(request, body.unit, "unit")
    result = services.relay_round(parent_round=rnd, unit=unit, by=request.user,
                                  **body.dict(exclude={"unit"}))
    return Status(201, {"round": round_out(result.obj), "warnings": result.warnings})


@router.patch("/rounds/{pk}", response=ok(RoundSaved),
              summary="Sửa đợt: tiêu đề, căn cứ, hạn, chỉ tiêu (đơn vị phát động; gửi kèm version đã đọc, lệch trả 409)")
def edit(request: HttpRequest, pk: int, body: RoundPatch):
    """The page's "Sửa đợt" through the same service: each target's dossier log records the change and the
    targets are told."""
    rnd = _round(request, pk)
    data = body.dict(exclude_unset=True)
    result = services.edit_round(round=rnd, by=request.user, expected_version=data.pop("version"), **data)
    return {"round": round_out(result.obj), "warnings": result.warnings}
