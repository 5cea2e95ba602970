"""Request and response shapes. Inputs forbid unknown fields: a typo must not be silently dropped."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from danvan.exemplars.forms import MAX_CONTENT


def _aware(value: datetime.datetime) -> datetime.datetime:
    # A deadline without an offset is Vietnamese local time, as on the pages.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[datetime.datetime, AfterValidator(_aware)]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: object) -> object:
        # PostgreSQL cannot store NUL in text, and no Vietnamese text needs it: refuse it up front.
        if _has_nul(data):
            raise PydanticCustomError("nul_character", "Dữ liệu chứa ký tự NUL (\\u0000) không hợp lệ.")
        return data


# ---- org units ---------------------------------------------------------------------------------

class UnitOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    depth: int
    has_children: bool
    parent_code: str | None = None
    doc_family: str
    address: str


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None = None


# ---- exemplars ---------------------------------------------------------------------------------

KindLit = Literal["collective", "individual"]
OriginLit = Literal["new", "replication"]


class ExemplarOut(Schema):
    id: int
    unit: str
    unit_name: str
    year: int
    movement: int
    field: int
    field_name: str
    name: str
    kind: str
    address: str
    content_problem: str
    content_actors: str
    content_results: str
    origin: str
    source: int | None = None
    status: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool


class ExemplarPage(Schema):
    items: list[ExemplarOut]
    next_cursor: str | None = None


class ExemplarSaved(Schema):
    exemplar: ExemplarOut
    warnings: list[str] = []


class SimilarOut(Schema):
    id: int
    name: str
    unit: str
    unit_name: str
    year: int
    status: str
    origin: str
    score: float = Field(description="Độ giống tổng hợp, 0–1")
    name_score: float = Field(description="Độ giống của tên, 0–1")
    content_score: float = Field(description="Độ giống của nội dung, 0–1")
    likely_duplicate: bool = Field(description="Có thể là đăng ký trùng")
    reason: str


class SimilarList(Schema):
    items: list[SimilarOut]


class ExemplarIn(StrictIn):
    unit: str = Field(max_length=64, description="Mã đơn vị (code)")
    year: int = Field(ge=2000, le=2100)
    movement: int = Field(ge=1, le=2**62)
    field: int = Field(ge=1, le=2**62, description="Mã số lĩnh vực của đơn vị")
    name: str = Field(min_length=1, max_length=500)
    kind: KindLit
    address: str = Field("", max_length=500)
    content_problem: str = Field(min_length=1, max_length=MAX_CONTENT)
    content_actors: str = Field("", max_length=MAX_CONTENT)
    content_results: str = Field("", max_length=MAX_CONTENT)
    origin: OriginLit = "new"
    source: int | None = Field(None, ge=1, le=2**62)


class ExemplarPatch(StrictIn):
    version: int = Field(ge=1, le=2**31, description="Phiên bản đã đọc; lệch thì trả 409 (code stale)")
    unit: str | None = Field(None, max_length=64)
    year: int | None = Field(None, ge=2000, le=2100)
    movement: int | None = Field(None, ge=1, le=2**62)
    field: int | None = Field(None, ge=1, le=2**62)
    name: str | None = Field(None, min_length=1, max_length=500)
    kind: KindLit | None = None
    address: str | None = Field(None, max_length=500)
    content_problem: str | None = Field(None, min_length=1, max_length=MAX_CONTENT)
    content_actors: str | None = Field(None, max_length=MAX_CONTENT)
    content_results: str | None = Field(None, max_length=MAX_CONTENT)
    origin: OriginLit | None = None
    source: int | None = Field(None, ge=1, le=2**62)


# ---- rounds and submissions --------------------------------------------------------------------

class RoundOut(Schema):
    id: int
    title: str
    year: int
    issuer: str
    issuer_name: str
    movement: int
    deadline: datetime.datetime
    min_total: int
    min_collective: int
    min_individual: int
    target_mode: str
    parent_round: int | None = None
    root: int | None = None
    guidance: str
    instructions: str
    version: int


class RoundPage(Schema):
    items: list[RoundOut]
    next_cursor: str | None = None


class RoundSaved(Schema):
    round: RoundOut
    warnings: list[str] = []


class QuotaIn(StrictIn):
    min_total: int = Field(1, ge=0, le=100)
    min_collective: int = Field(0, ge=0, le=100)
    min_individual: int = Field(0, ge=0, le=100)


class LaunchIn(QuotaIn):
    issuer: str = Field(max_length=64)
    movement: int = Field(ge=1, le=2**62)
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=300)
    guidance: str = Field("", max_length=20000)
    instructions: str = Field("", max_length=20000)
    deadline: LocalDatetime
    target_mode: Literal["children", "subtree", "chosen"] = "children"
    target_units: list[str] = Field(default_factory=list, max_length=5000)
    target_levels: list[str] = Field(default_factory=list, max_length=50)
    target_kinds: list[str] = Field(default_factory=list, max_length=200)


class RelayIn(StrictIn):
    unit: str = Field(max_length=64)
    deadline: LocalDatetime
    title: str = Field("", max_length=300)
    guidance: str = Field("", max_length=20000)
    instructions: str = Field("", max_length=20000)
    min_total: int | None = Field(None, ge=0, le=100)
    min_collective: int | None = Field(None, ge=0, le=100)
    min_individual: int | None = Field(None, ge=0, le=100)
    late_reason: str = Field("", max_length=1000, description="Bắt buộc khi hạn muộn hơn hạn của cấp trên")


class RoundPatch(StrictIn):
    """The issuer's correction of a round: only the fields sent change; `version` is the one read."""

    version: int = Field(ge=1, le=2**31, description="Phiên bản đợt đã đọc; lệch thì trả 409 (code stale)")
    title: str | None = Field(None, max_length=300)
    guidance: str | None = Field(None, max_length=20000)
    deadline: LocalDatetime | None = None
    min_total: int | None = Field(None, ge=0, le=100)
    min_collective: int | None = Field(None, ge=0, le=100)
    min_individual: int | None = Field(None, ge=0, le=100)
    late_reason: str = Field("", max_length=1000, description="Bắt buộc khi hạn muộn hơn hạn của cấp trên")


class SubmissionOut(Schema):
    id: int
    round: int
    root: int
    unit: str
    unit_name: str
    status: str
    status_label: str
    version: int
    n_total: int
    n_collective: int
    n_individual: int
    below_quota: bool
    is_late: bool
    on_behalf: bool
    submitted_at: datetime.datetime | None = None
    reviewed_at: datetime.datetime | None = None
    awaiting_approval: bool = False
    approval_requested_at: datetime.datetime | None = None
    extended_until: datetime.datetime | None = None


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    next_cursor: str | None = None


class ItemOut(Schema):
    exemplar: int
    name: str
    unit: str
    kind: str
    year: int
    continued: bool = Field(description="Mô hình năm trước, tiếp tục xây dựng trong năm của đợt")
    via_submission: int | None = None


class EventOut(Schema):
    action: str
    action_label: str
    by: str | None = None
    at: datetime.datetime
    comment: str
    on_behalf: bool


class SubmissionDetail(SubmissionOut):
    items: list[ItemOut]
    timeline: list[EventOut]
    missing: list[str]
    launch_content: str
    signed_number: str
    signed_date: datetime.date | None = None


class SubmissionSaved(Schema):
    submission: SubmissionDetail
    warnings: list[str] = []


class VersionIn(StrictIn):
    version: int = Field(ge=1, le=2**31, description="Phiên bản đã đọc (bắt buộc); lệch thì trả 409 (code stale)")


Id = Annotated[int, Field(ge=1, le=2**62)]


class AttachIn(VersionIn):
    exemplars: list[Id] = Field(min_length=1, max_length=500)
    continued: bool = Field(False, description="Mô hình của năm trước, đơn vị tiếp tục xây dựng trong năm của đợt "
                                               "(ghi và đếm là “tiếp tục xây dựng”)")


class DetachIn(VersionIn):
    exemplar: int = Field(ge=1, le=2**62)


class ReturnIn(StrictIn):
    comment: str = Field(max_length=4000)


class ExtendIn(StrictIn):
    until: LocalDatetime
    reason: str = Field(max_length=1000)


class RemindIn(StrictIn):
    message: str = Field("", max_length=4000)


class RemindOut(Schema):
    reminded: list[str]
