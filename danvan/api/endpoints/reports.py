"""Reports through danvan.reports, the page's functions: the annual report's downloads and section 3.3's
numbers, the period review (sơ kết, tổng kết) and a unit's dashboard with its CSV/XLSX tables."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from danvan.documents import services as doc_services
from danvan.reports import dashboard, documents, services, stats
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


def _unit(request: HttpRequest, code: str):
    unit = services.report_unit(request.user, code)
    if unit is None:
        raise ApiError(404, "not_found", "Không tìm thấy (hoặc nằm ngoài phạm vi đơn vị của bạn).")
    return unit


def _target(request: HttpRequest, p: ReportPath, q: MovementQuery):
    unit = _unit(request, p.unit_code)
    movement = services.report_movement(p.year, q.movement)
    if movement is None:
        raise ApiError(404, "not_found", "Không có phong trào nào trong năm này.")
    return unit, movement


@router.get("/reports/{code:unit_code}/{year}/statistics", response=ok(dict),
            summary="Số liệu mục 3.3 của báo cáo năm (như tệp so-lieu.json của trang báo cáo)")
def statistics(request: HttpRequest, p: Path[ReportPath], q: Query[MovementQuery]):
    unit, movement = _target(request, p, q)
    return documents.statistics(unit, movement, p.year)


@router.get("/reports/{code:unit_code}/{year}/{what}.{fmt}", response=ERRORS,
            summary="Tải báo cáo năm (bao-cao: docx/pdf), phụ lục số liệu (phu-luc: docx/xlsx), danh sách mô hình "
                    "được tính (danh-sach: docx/xlsx) hoặc số liệu (so-lieu: json)",
            openapi_extra=file_responses({**doc_services.MIME, "json": "application/json"}, "Tệp báo cáo"))
def download(request: HttpRequest, p: Path[ReportPath], what: str, fmt: str, q: Query[MovementQuery]):
    unit, movement = _target(request, p, q)
    try:
        return file_response(documents.render_annual_download(unit, movement, p.year, what, fmt))
    except doc_services.NoSuchDocument:
        raise no_such_document() from None
    except doc_services.DocumentError as exc:
        raise document_error(exc) from None


# ---- the period review (sơ kết, tổng kết) --------------------------------------------------------

class PeriodPath(Schema):
    unit_code: str = Field(max_length=64, description="Mã đơn vị")
    movement: int = Field(ge=1, le=2**62, description="Mã số phong trào")


class PeriodOut(Schema):
    unit: str
    unit_name: str
    movement: int
    movement_name: str
    period_start: int
    period_end: int
    title: str
    headers: list[str] = Field(description="Như bảng của trang: STT, Nội dung, từng năm, cả giai đoạn")
    rows: list[list[str]] = Field(description="Các dòng của bảng, đúng như trang và tệp tải về")
    years: list[dict[str, Any]] = Field(description="Số liệu từng năm (cùng dạng với /statistics)")
    period: dict[str, Any] = Field(description="Số liệu cả giai đoạn")
    downloads: dict[str, str] = Field(description="Định dạng → đường dẫn tải về trong API")


def _period_target(request: HttpRequest, p: PeriodPath):
    unit = _unit(request, p.unit_code)
    movement = services.report_movement(pk=p.movement)
    if movement is None:
        raise ApiError(404, "not_found", "Không có phong trào này.")
    return unit, movement


@router.get("/reports/{code:unit_code}/period/{movement}", response=ok(PeriodOut),
            summary="Sơ kết, tổng kết: số liệu từng năm của giai đoạn (như trang giai-doan)")
def period(request: HttpRequest, p: Path[PeriodPath]):
    unit, movement = _period_target(request, p)
    columns = stats.period(unit, movement)
    table = documents.period_table(unit, movement, columns=columns)
    base = f"/api/reports/{unit.code}/period/{movement.pk}"
    return {"unit": unit.code, "unit_name": unit.name, "movement": movement.pk, "movement_name": movement.name,
            "period_start": movement.period_start, "period_end": movement.period_end, "title": table.title,
            "headers": table.headers, "rows": table.rows, **documents.period_statistics(columns),
            "downloads": {fmt: f"{base}/download.{fmt}" for fmt in documents.PERIOD_FORMATS}}


@router.get("/reports/{code:unit_code}/period/{movement}/download.{fmt}", response=ERRORS,
            summary="Tải bảng sơ kết, tổng kết theo năm (docx hoặc xlsx)",
            openapi_extra=file_responses({f: doc_services.MIME[f] for f in documents.PERIOD_FORMATS},
                                         "Tệp Word/Excel"))
def period_download(request: HttpRequest, p: Path[PeriodPath], fmt: str):
    unit, movement = _period_target(request, p)
    try:
        return file_response(documents.render_period(unit, movement, fmt))
    except doc_services.DocumentError as exc:
        raise document_error(exc) from None


# ---- a unit's dashboard --------------------------------------------------------------------------

class DashboardQuery(Schema):
    movement: str | None = Field(None, pattern=r"^([0-9]{1,18}|tat-ca)$",
                                 description="Mã số phong trào, hoặc tat-ca cho mọi phong trào "
                                             "(mặc định: phong trào gần nhất)")
    year_from: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR,
                                  description="Từ năm (mặc định: đầu giai đoạn của phong trào)")
    year_to: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR,
                                description="Đến năm (mặc định: năm nay hoặc cuối giai đoạn)")


Cell = int | float | str | None


class DashboardTableOut(Schema):
    slug: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = Field(description="Dòng tổng cộng, nếu bảng có")
    unit: str = Field(description="Đơn vị đếm của biểu đồ")
    note: str
    downloads: dict[str, str] = Field(description="Định dạng → đường dẫn tải về trong API")


class DashboardOut(Schema):
    unit: str
    unit_name: str
    movement: int | None = Field(description="Không có: mọi phong trào")
    year_from: int
    year_to: int
    scope_line: str
    notes: list[str] = Field(description="Năm đã đổi chỗ hoặc đã rút bớt cho vừa giới hạn")
    tables: list[DashboardTableOut]
    download_all: str = Field(description="Mọi bảng trong một tệp xlsx")


def _dashboard_params(q: DashboardQuery) -> dashboard.Params:
    p = dashboard.params(q.movement, q.year_from, q.year_to)
    if p.unknown_movement:
        raise ApiError(404, "not_found", "Không có phong trào này.")
    return p


@router.get("/units/{code:code}/dashboard", response=ok(DashboardOut),
            summary="Bảng thống kê của đơn vị và cấp dưới (như trang thong-ke): các bảng số liệu")
def unit_dashboard(request: HttpRequest, code: str, q: Query[DashboardQuery]):
    unit = _unit(request, code)
    p = _dashboard_params(q)
    dash = dashboard.build(unit, p.movement, p.year_from, p.year_to)
    movement = dashboard.ALL_MOVEMENTS if p.movement is None else str(p.movement.pk)
    query = f"?movement={movement}&year_from={p.year_from}&year_to={p.year_to}"
    base = f"/api/units/{unit.code}/dashboard"
    return {
        "unit": unit.code, "unit_name": unit.name, "movement": p.movement.pk if p.movement else None,
        "year_from": p.year_from, "year_to": p.year_to, "scope_line": dash.scope_line, "notes": p.notes,
        "tables": [{"slug": t.slug, "title": t.title, "headers": t.headers, "rows": t.rows, "total": t.total,
                    "unit": t.unit, "note": t.note,
                    "downloads": {fmt: f"{base}/{t.slug}.{fmt}{query}" for fmt in dashboard.DOWNLOAD_FORMATS}}
                   for t in dash.tables],
        "download_all": f"{base}/{dashboard.ALL_TABLES}.xlsx{query}",
    }


@router.get("/units/{code:code}/dashboard/{slug}.{fmt}", response=ERRORS,
            summary="Tải một bảng thống kê (csv hoặc xlsx) hoặc mọi bảng (tat-ca.xlsx), đúng các dòng của trang",
            openapi_extra=file_responses({"csv": "text/csv", "xlsx": doc_services.MIME["xlsx"]}, "Tệp CSV/Excel"))
def unit_dashboard_download(request: HttpRequest, code: str, slug: str, fmt: str, q: Query[DashboardQuery]):
    unit = _unit(request, code)
    try:
        return file_response(dashboard.render_download(unit, _dashboard_params(q), slug, fmt))
    except doc_services.NoSuchDocument:
        raise ApiError(404, "not_found", "Không có bảng số liệu này.") from None
    except doc_services.DocumentError as exc:
        raise document_error(exc) from None
