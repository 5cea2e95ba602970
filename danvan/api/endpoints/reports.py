"""Annual report downloads and section 3.3's numbers, through danvan.reports (the page's functions)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from danvan.documents import services as doc_services
from danvan.reports import documents, services
from danvan.reports.dashboard import MAX_YEAR, MIN_YEAR

from ..errors import ApiError
from .common import ERRORS, ok
from .documents import document_error, file_response, file_responses, no_such_document

router = Router(tags=["Báo cáo"])


class ReportPath(Schema):
    unit_code: str = Field(max_length=64, description="Mã đơn vị")
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)


class MovementQuery(Schema):
    movement: int | None = Field(None, ge=1, le=2**62,
                                 description="Mã số phong trào (mặc định: phong trào gần nhất có năm này)")


def _target(request: HttpRequest, p: ReportPath, q: MovementQuery):
    unit = services.report_unit(request.user, p.unit_code)
    if unit is None:
        raise ApiError(404, "not_found", "Không tìm thấy (hoặc nằm ngoài phạm vi đơn vị của bạn).")
    movement = services.report_movement(p.year, q.movement)
    if movement is None:
        raise ApiError(404, "not_found", "Không có phong trào nào trong năm này.")
    return unit, movement


@router.get("/reports/{unit_code}/{year}/statistics", response=ok(dict),
            summary="Số liệu mục 3.3 của báo cáo năm (như tệp so-lieu.json của trang báo cáo)")
def statistics(request: HttpRequest, p: Path[ReportPath], q: Query[MovementQuery]):
    unit, movement = _target(request, p, q)
    return documents.statistics(unit, movement, p.year)


@router.get("/reports/{unit_code}/{year}/{what}.{fmt}", response=ERRORS,
            summary="Tải báo cáo năm (bao-cao: docx/pdf), phụ lục số liệu (phu-luc: docx/xlsx) "
                    "hoặc số liệu (so-lieu: json)",
            openapi_extra=file_responses({**doc_services.MIME, "json": "application/json"}, "Tệp báo cáo"))
def download(request: HttpRequest, p: Path[ReportPath], what: str, fmt: str, q: Query[MovementQuery]):
    unit, movement = _target(request, p, q)
    try:
        return file_response(documents.render_annual_download(unit, movement, p.year, what, fmt))
    except doc_services.NoSuchDocument:
        raise no_such_document() from None
    except doc_services.DocumentError as exc:
        raise document_error(exc) from None
