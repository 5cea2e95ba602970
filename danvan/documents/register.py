"""The outgoing register (sổ văn bản đi, Nghị định 30/2020 Điều 15–16): each unit numbers its own letters, from 01
on 1 January of each year, in order, never twice and without gaps; a withdrawn number stays in the register,
marked, and is never given again (issue 19 §1).

One step for every door (page, API, CLI): `issue_registration` numbers and dates the consolidated registration
letter of a dossier and files the letter as issued; `withdraw` takes a number back.
"""

from __future__ import annotations

import hashlib
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from danvan.movement import notify
from danvan.movement import services as movement_services
from danvan.movement.models import Action, NotifyKind, Submission
from danvan.orgs import permissions
from danvan.orgs.models import OrgUnit, Role
from danvan.orgs.permissions import Actor

from . import from_data as fd
from . import letter_bytes
from .letter import code_of
from .models import OutgoingCounter, OutgoingEntry, OutgoingKind


def check_keeper(by: Actor, unit: OrgUnit) -> None:
    if not permissions.can_keep_register(by, unit):
        raise PermissionDenied(f"Chỉ văn phòng (văn thư), ban hoặc quản trị của «{unit.name}» mới cấp và thu hồi "
                               "số văn bản đi của đơn vị.")


def next_number(unit: OrgUnit, year: int) -> int:
    """The register's next number for `unit` in `year`, inside the caller's transaction: the counter's row is
    written first (an UPDATE), so a second clerk waits for the first to commit or roll back."""
    OutgoingCounter.objects.get_or_create(unit=unit, year=year)  # a race to open the year is get_or_create's
    OutgoingCounter.objects.filter(unit=unit, year=year).update(last=F("last") + 1)
    return OutgoingCounter.objects.get(unit=unit, year=year).last


def number_text(number: int) -> str:
    """"05": the register starts at 01 each year (Nghị định 30/2020, Điều 15)."""
    return f"{number:02d}"


def live_entry(submission: Submission) -> OutgoingEntry | None:
    return submission.outgoing.filter(withdrawn_at__isnull=True).first()  # type: ignore[attr-defined]


def issue_registration(*, submission: Submission, by: Actor, expected_version: int | None = None) -> OutgoingEntry:
    """Give the dossier's cover letter the next number of its unit's register and today's date, and file the
    letter as issued (DOCX, with its SHA-256). The unit's leader is told it waits for the signature."""
    check_keeper(by, submission.unit)
    with transaction.atomic():
        sub = Submission.objects.select_for_update().select_related("round", "unit").get(pk=submission.pk)
        if expected_version is not None and sub.version != expected_version:
            raise ValidationError("Hồ sơ vừa được người khác thay đổi. Hãy tải lại trang rồi cấp số lại; "
                                  "chưa có số nào được cấp.", code="stale")
        if (entry := live_entry(sub)) is not None:
            raise ValidationError(f"Công văn của hồ sơ này đã được cấp số {entry.code} ngày "
                                  f"{entry.issued_on:%d/%m/%Y}; không cấp số lần nữa.", code="already_numbered")
        if not sub.is_editable:
            raise ValidationError(f"Hồ sơ đang ở trạng thái “{sub.display_status()}”: công văn đã gửi đi, "
                                  "không cấp số mới.", code="not_editable")
        if not sub.items.exists():
            raise ValidationError("Hồ sơ chưa có mô hình nào: chưa có công văn để cấp số.", code="empty")
        unit, today = sub.unit, timezone.localdate()
        names = unit.names_on(today)
        if not names.doc_suffix:
            raise ValidationError(f"«{unit.name}» chưa có ký hiệu văn bản (ví dụ SKHCN-VP): quản trị đơn vị ghi ký "
                                  "hiệu ở trang đơn vị trước khi cấp số.", code="no_suffix")
        number = next_number(unit, today.year)
        code = code_of(number_text(number), names.doc_family, "CV", names.doc_suffix)
        typed = sub.signed_number
        movement_services.stamp_number(sub, by, code, today, Action.NUMBER,
                                       f"Số {code} ngày {today:%d/%m/%Y}"
                                       + (f" (thay số nhập tay «{typed}»)" if typed else ""))
        spec = fd.consolidated_registration(sub)
        docx = letter_bytes(spec)
        entry = OutgoingEntry(
            unit=unit, year=today.year, number=number, code=code, kind=OutgoingKind.REGISTRATION, doc_type="CV",
            issued_on=today, place=unit.place_name, subject=spec.subject.replace("\n", " ")[:300],
            recipients="; ".join(spec.recipients)[:500], submission=sub, round=sub.round,
            sha256=hashlib.sha256(docx).hexdigest(), issued_by=permissions.author(by))
        entry.file.save(f"{unit.code}-{today.year}-{number_text(number)}.docx", ContentFile(docx), save=False)
        entry.save()
        leaders = notify.members([unit.pk], roles=[Role.LEADER])
        notify.notify(kind=NotifyKind.NUMBERED, users=leaders, by=by, submission=sub, url=f"/ho-so/{sub.pk}/",
                      text=f"Công văn đăng ký “{sub.round.title}” của {unit.name} đã được cấp số {code} ngày "
                           f"{today:%d/%m/%Y}: chờ lãnh đạo ký và gửi lên cấp trên.")
    return entry


def withdraw(*, entry: OutgoingEntry, by: Actor, reason: str) -> OutgoingEntry:
    """Take a number back: the line stays in the register, marked, and the number is never given again; the
    dossier's letter loses its number and date, and can be numbered anew."""
    check_keeper(by, entry.unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Ghi lý do thu hồi số (ví dụ: văn bản sai nội dung, phải ban hành lại).",
                              code="reason")
    with transaction.atomic():
        locked = OutgoingEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.withdrawn:
            raise ValidationError(f"Số {locked.code} đã được thu hồi lúc "
                                  f"{timezone.localtime(locked.withdrawn_at):%d/%m/%Y %H:%M}.", code="withdrawn")
        if locked.submission_id is not None:
            sub = Submission.objects.select_for_update().get(pk=locked.submission_id)
            if not sub.is_editable:
                raise ValidationError(f"Hồ sơ đã gửi đi với số {locked.code}: không thu hồi số của văn bản đã gửi; "
                                      "cấp trên trả lại hồ sơ trước.", code="sent")
            movement_services.stamp_number(sub, by, "", None, Action.UNNUMBER, f"Thu hồi số {locked.code}: {reason}")
        locked.withdrawn_at, locked.withdrawn_by = timezone.now(), permissions.author(by)
        locked.withdraw_reason = reason[:300]
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return locked


def readable_unit(user: Actor, code: str) -> OrgUnit | None:
    """The unit whose register `user` may read, or None (pages answer 404, the API its own 404)."""
    unit = permissions.visible_units(user).filter(code=code).first()
    return unit if unit is not None and permissions.can_read_register(user, unit) else None


def readable_entry(user: Actor, pk: int) -> OutgoingEntry | None:
    entry = OutgoingEntry.objects.select_related("unit", "issued_by").filter(pk=pk).first()
    if entry is None or not permissions.can_see_unit(user, entry.unit) \
            or not permissions.can_read_register(user, entry.unit):
        return None
    return entry


def register(unit: OrgUnit, year: int) -> QuerySet[OutgoingEntry]:
    return (OutgoingEntry.objects.filter(unit=unit, year=year)
            .select_related("issued_by", "withdrawn_by", "submission").order_by("number"))


def register_years(unit: OrgUnit) -> list[int]:
    return sorted(set(OutgoingEntry.objects.filter(unit=unit).values_list("year", flat=True)), reverse=True)


REGISTER_HEADERS = ["Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu", "Nơi nhận", "Người cấp số",
                    "Cấp số lúc", "Tình trạng", "SHA-256 của tệp"]


def register_rows(entries) -> list[list[str]]:
    rows = []
    for e in entries:
        state = (f"Đã thu hồi ngày {timezone.localtime(e.withdrawn_at):%d/%m/%Y}: {e.withdraw_reason}"
                 if e.withdrawn else "Đã cấp số")
        rows.append([e.code, f"{e.issued_on:%d/%m/%Y}", e.get_kind_display(), e.subject, e.recipients,
                     e.issued_by.get_full_name() or e.issued_by.username,
                     f"{timezone.localtime(e.issued_at):%d/%m/%Y %H:%M}", state, e.sha256])
    return rows


def register_xlsx(unit: OrgUnit, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"So VB di {year}"
    ws.append([f"SỔ ĐĂNG KÝ VĂN BẢN ĐI — {unit.names_on(timezone.localdate()).title_name} — NĂM {year}"])
    ws["A1"].font = Font(bold=True)
    ws.append(REGISTER_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in register_rows(register(unit, year)):
        ws.append(row)
    for col, width in zip("ABCDEFGHI", (18, 12, 30, 50, 40, 22, 16, 30, 20), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
