"""Annual report workflow: open (pre-filled), write, introduce typical exemplars, check against the quota.

Sending the report up, tracking who has reported and reminding the late ones are the rounds'
services (`movement.services`): a report request is a round of kind "report".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from danvan.exemplars.models import Commendation, Exemplar, Movement, Recognition, Status
from danvan.foundation.html import strip_control_chars
from danvan.foundation.params import query_int
from danvan.movement.models import (
    Action,
    RegistrationRound,
    Reminder,
    RoundKind,
    Submission,
    SubmissionEvent,
)
from danvan.movement.models import Status as SubmissionStatus
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from . import stats
from .models import INTRO_HEADINGS, SECTION_KEYS, AnnualReport, Introduction

MAX_SECTION = 50000
STALE = ("Báo cáo vừa được người khác sửa sau khi bạn mở trang. Hãy tải lại trang, xem bản mới rồi sửa lại; "
         "nội dung bạn vừa nhập chưa được lưu.")
RECOGNIZED = (Status.RECOGNIZED, Status.COMMENDED)


def report_unit(user: Actor, code: str) -> OrgUnit | None:
    """The unit whose report/statistics `user` asks for: only inside their scope (outside it does not exist)."""
    return permissions.visible_units(user).select_related("level", "kind").filter(code=code).first()


def report_movement(year: int | None = None, pk: int | str | None = None) -> Movement | None:
    """The movement asked for by id, else the latest one whose period covers `year` (None: no such movement)."""
    if pk is not None and str(pk).strip():
        number = query_int(pk)
        return Movement.objects.filter(pk=number).first() if number is not None else None
    qs = Movement.objects.order_by("-period_start")
    if year is not None:
        qs = qs.filter(period_start__lte=year, period_end__gte=year)
    return qs.first()


def can_edit(user: Actor, unit: OrgUnit) -> bool:
    return permissions.can_edit_unit(user, unit)


def request_submission(unit: OrgUnit, movement: Movement, year: int) -> Submission | None:
    """The unit's answer slot in a report request of that year, if one was addressed to it."""
    return (Submission.objects.filter(unit=unit, round__kind=RoundKind.REPORT, round__movement=movement,
                                      round__year=year).select_related("round").order_by("round__deadline").first())


def _fmt_date(value) -> str:
    d = timezone.localdate(value) if hasattr(value, "tzinfo") else value
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def prefill(unit: OrgUnit, movement: Movement, year: int) -> dict[str, str]:
    """What the system already knows, written as the first draft of the narrative."""
    out: dict[str, str] = {}
    if movement.plans:
        out["2.1"] = (f"{unit.name} đã tổ chức phổ biến, quán triệt {movement.plans.strip().rstrip('.')} "
                      "đến cán bộ, công chức, viên chức và người lao động.")
    rounds = RegistrationRound.objects.filter(issuer=unit, movement=movement, year=year,
                                              kind=RoundKind.REGISTRATION).order_by("created_at")
    lines = []
    for r in rounds:
        basis = f" thực hiện {r.guidance.strip().rstrip('.;')}" if r.guidance else ""
        action = "chuyển tiếp" if r.parent_round_id else "phát động"
        lines.append(f"- Ngày {_fmt_date(r.created_at)}, {action} đợt “{r.title}”{basis}; hạn gửi "
                     f"{_fmt_date(r.deadline)}; {r.quota_text()} mỗi đơn vị ({r.submissions.count()} đơn vị).")
    if lines:
        out["2.2"] = "\n".join(lines)
    reminders = Reminder.objects.filter(submission__round__issuer=unit, submission__round__movement=movement,
                                        submission__round__year=year)
    if n := reminders.count():
        units = reminders.values("submission__unit").distinct().count()
        out["2.3"] = f"Đã gửi {n} lượt nhắc nhở, đôn đốc tới {units} đơn vị chậm đăng ký, chậm báo cáo."
    return out


def summary_text(s: stats.Stats) -> list[str]:
    """Section 3.3 in sentences, from the computed numbers (the table itself goes in the appendix)."""
    lv = [r for r in s.levels if r.launches or r.registering_units or r.registered.total]
    launches = "; ".join(f"{r.name.lower()}: {r.launches} đơn vị phát động, {r.registering_units} đơn vị đăng ký, "
                         f"{r.registered.total} mô hình" for r in lv) or "chưa có đợt phát động, đăng ký nào"
    reg, built, rep, rec, cont = s.registered, s.built, s.replicated, s.recognized, s.continued
    cats = "; ".join(f"{c.name}: {c.built.total}/{c.registered.total}" for c in s.categories if c.registered.total)
    rep_levels = "; ".join(f"{r.name.lower()} {r.replicated.total}" for r in s.levels if r.replicated.total)
    rec_levels = "; ".join(f"{r.name.lower()} {r.recognized.total}" for r in s.levels if r.recognized.total)
    return [
        f"- Kết quả phát động và tổ chức đăng ký đối với từng cấp: {launches}.",
        f"- Số mô hình, điển hình được xây dựng so với số đăng ký: {built.total}/{reg.total} "
        f"(tập thể {built.collective}/{reg.collective}; cá nhân {built.individual}/{reg.individual})"
        + (f"; theo lĩnh vực: {cats}." if cats else "."),
        f"- Số mô hình của năm trước tiếp tục xây dựng trong năm {s.years_label}: {cont.total} "
        f"(tập thể {cont.collective}; cá nhân {cont.individual}).",
        f"- Số mô hình đã được nhân rộng ở từng cấp: {rep.total}" + (f" ({rep_levels})." if rep_levels else "."),
        f"- Số mô hình đã được công nhận trong năm {s.years_label}: {rec.total}"
        + (f" ({rec_levels})." if rec_levels else "."),
    ]


@transaction.atomic
def open_report(*, unit: OrgUnit, movement: Movement, year: int, by: Actor) -> AnnualReport:
    """The unit's report for the year; created with the pre-filled draft the first time (idempotent)."""
    if not can_edit(by, unit):
        raise PermissionDenied("Bạn không có quyền lập báo cáo của đơn vị này.")
    if not movement.covers(year):
        raise ValidationError(f"Năm {year} nằm ngoài giai đoạn {movement.period_start} - {movement.period_end}.")
    existing = AnnualReport.objects.filter(unit=unit, movement=movement, year=year).first()
    if existing:
        return existing
    report = AnnualReport(unit=unit, movement=movement, year=year, sections=prefill(unit, movement, year),
                          submission=request_submission(unit, movement, year), created_by=permissions.author(by), updated_by=permissions.author(by))
    report._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # a double click created it a moment ago
        return AnnualReport.objects.get(unit=unit, movement=movement, year=year)
    return report


def _locked(report: AnnualReport, by: Actor, expected_version: int | None) -> AnnualReport:
    locked = AnnualReport.objects.select_for_update(of=("self",)).select_related("unit", "submission").get(
        pk=report.pk)
    if not can_edit(by, locked.unit):
        raise PermissionDenied("Bạn không có quyền sửa báo cáo của đơn vị này.")
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(STALE, code="stale")
    if locked.submission and locked.submission.is_sent:
        raise ValidationError("Báo cáo đã được gửi lên cấp trên; chỉ sửa được khi cấp trên trả lại.",
                              code="already_sent")
    return locked


def _text(value: str | None) -> str:
    text = strip_control_chars(value or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_SECTION:
        raise ValidationError(f"Một mục dài quá {MAX_SECTION} ký tự.")
    return text


def _touch(report: AnnualReport, by: Actor) -> None:
    report.version += 1
    report.updated_by = permissions.author(by)
    report._history_user = by  # type: ignore[attr-defined]
    report.save()
    # The answer's status follows its work: a report being written is a draft, not "not started".
    sub = report.submission
    if sub is not None and sub.status == SubmissionStatus.NOT_STARTED:
        sub = Submission.objects.select_for_update().get(pk=sub.pk)
        if sub.status == SubmissionStatus.NOT_STARTED:
            sub.edit()
            sub.version += 1
            sub.save(update_fields=["status", "version", "updated_at"])
            SubmissionEvent.objects.create(submission=sub, action=Action.DOSSIER, by=permissions.author(by), comment="Lập báo cáo năm")


@transaction.atomic
def save_sections(*, report: AnnualReport, by: Actor, sections: dict[str, str], number: str | None = None,
                  expected_version: int | None = None) -> AnnualReport:
    report = _locked(report, by, expected_version)
    merged = dict(report.sections or {})
    for key in SECTION_KEYS:
        if key in sections:
            merged[key] = _text(sections[key])
    report.sections = merged
    if number is not None:
        report.number = _text(number)[:50]
    _touch(report, by)
    return report


def introducible(user: Actor, report: AnnualReport):
    """Exemplars Part II may introduce: those of the unit's subtree and movement, of the report's years (the
    movement's period up to the report's year), recognized or commended by a decision of those years."""
    year, start = report.year, report.movement.period_start
    decided = (Q(Exists(Recognition.objects.filter(exemplar=OuterRef("pk"), decision_date__year__lte=year)))
               | Q(Exists(Commendation.objects.filter(exemplar=OuterRef("pk"), decision_date__year__lte=year))))
    return Exemplar.objects.alive().filter(decided, unit__path__startswith=report.unit.path,
                                           movement=report.movement, year__gte=start, year__lte=year)


@transaction.atomic
def add_introduction(*, report: AnnualReport, by: Actor, exemplar: Exemplar, expected_version: int | None = None,
                     **headings: str) -> tuple[Introduction, list[str]]:
    report = _locked(report, by, expected_version)
    if not introducible(by, report).filter(pk=exemplar.pk).exists():
        raise ValidationError(f"Phần II chỉ giới thiệu mô hình của đơn vị mình hoặc đơn vị cấp dưới, thuộc các năm "
                              f"{report.movement.period_start} - {report.year} của phong trào và đã được công nhận, "
                              "biểu dương hoặc khen thưởng.")
    if report.intros.filter(exemplar=exemplar).exists():
        raise ValidationError("Mô hình này đã có trong phần giới thiệu.", code="duplicate")
    intro = Introduction(report=report, exemplar=exemplar, order=report.intros.count() + 1,
                         **{k: _text(headings.get(k)) for k, _ in INTRO_HEADINGS})
    intro._history_user = by  # type: ignore[attr-defined]
    intro.save()
    _touch(report, by)
    return intro, intro_warnings(report)


@transaction.atomic
def update_introduction(*, intro: Introduction, by: Actor, expected_version: int | None = None,
                        **headings: str) -> Introduction:
    _locked(intro.report, by, expected_version)
    for k, _ in INTRO_HEADINGS:
        if k in headings:
            setattr(intro, k, _text(headings[k]))
    intro._history_user = by  # type: ignore[attr-defined]
    intro.save()
    _touch(AnnualReport.objects.get(pk=intro.report_id), by)
    return intro


@transaction.atomic
def remove_introduction(*, intro: Introduction, by: Actor, expected_version: int | None = None) -> None:
    report = _locked(intro.report, by, expected_version)
    intro._history_user = by  # type: ignore[attr-defined]
    intro.delete()  # kept in the introduction's history
    _touch(report, by)


def intro_quota(report: AnnualReport) -> int | None:
    sub = report.submission
    return sub.round.intro_quota_for(report.unit) if sub else None


def intro_warnings(report: AnnualReport) -> list[str]:
    """Warnings, not refusals: the Board decides what to do with an over-long or early introduction."""
    out = []
    intros = list(report.intros.select_related("exemplar"))
    quota = intro_quota(report)
    if quota is not None and len(intros) > quota:
        out.append(f"Yêu cầu báo cáo đề nghị giới thiệu {quota:02d} mô hình; báo cáo đang giới thiệu "
                   f"{len(intros):02d}.")
    if quota and len(intros) < quota:
        out.append(f"Yêu cầu báo cáo đề nghị giới thiệu {quota:02d} mô hình; báo cáo mới có {len(intros):02d}.")
    for i in intros:
        if i.exemplar.status not in RECOGNIZED:
            out.append(f"“{i.exemplar.name}” chưa được công nhận, biểu dương hay khen thưởng; yêu cầu báo cáo chỉ "
                       "đề nghị giới thiệu mô hình đã được công nhận, biểu dương, khen thưởng.")
    return out


def report_shortfall(sub: Submission) -> list[str]:
    """Why a report request's answer cannot be sent yet (registered for the report kind: `movement.round_kinds`)."""
    report = AnnualReport.objects.filter(unit=sub.unit, movement=sub.round.movement, year=sub.round.year).first()
    if report is None:
        return ["Chưa lập báo cáo năm"]
    if report.submission_id is None:
        AnnualReport.objects.filter(pk=report.pk).update(submission=sub)
    return []
