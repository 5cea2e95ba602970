"""System data → the pure document specs (letters and tables of seeds 000, 001, 003).

Each function returns a `LetterSpec` (or table spec); the caller picks DOCX, XLSX or PDF.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from danvan.exemplars.models import Kind, Origin
from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs.models import OrgUnit

from . import (
    DocDate,
    FormGroup,
    FormItem,
    FormSpec,
    Issuer,
    LetterSpec,
    Para,
    Signature,
    SimpleTable,
    attachment_line,
    blank_form,
    heading,
    registration_list,
    subheading,
)
from .models import LetterDefaults, defaults_for

MOVEMENT = '"Dân vận khéo"'


def issuer_of(unit: OrgUnit, on: datetime.date | None = None) -> Issuer:
    """The unit as a document dated `on` prints it: the names valid that day (a 2021 letter of the Board reads
    "BAN DÂN VẬN", a 2026 one "BAN TUYÊN GIÁO VÀ DÂN VẬN")."""
    n = unit.names_on(on)
    return Issuer(family="party" if n.doc_family == "party" else "state", superior=n.superior_name,
                  name=n.title_name, suffix=n.doc_suffix, place=unit.place_name or "", display_name=n.name)


def signature_of(unit: OrgUnit) -> Signature:
    d = defaults_for(unit)
    return Signature(d.authority, d.authority_title, d.signer_title, d.signer_name)


def address_name(unit: OrgUnit, on: datetime.date | None = None) -> str:
    # Only the stored name: the proposals of defaults_for (its leader as signer) are not needed to address it.
    # Before a renaming, the recipient is addressed by the name it bore then.
    if on is not None and (then := unit.names_on(on).name) != unit.name:
        return then
    stored = LetterDefaults.objects.filter(unit=unit).values_list("address_name", flat=True).first()
    return stored or unit.name


def day_of(date: DocDate) -> datetime.date:
    """The day a document is dated, for the names it prints (an undated day: the first of its month)."""
    today = timezone.localdate()
    if not date.year:
        return today
    if date.day and date.month:
        return datetime.date(date.year, date.month, date.day)
    if (date.year, date.month) == (today.year, today.month):
        return today
    return datetime.date(date.year, date.month or 1, 1)


def _italic_movement(text: str) -> str:
    return text.replace(MOVEMENT, '"*Dân vận khéo*"').replace("“Dân vận khéo”", "“*Dân vận khéo*”")


def _local_date(value: datetime.datetime | None) -> DocDate:
    return DocDate.of(timezone.localdate(value)) if value else DocDate()


# ---- the consolidated registration (seed 001) ------------------------------------------------

def form_groups(submission: Submission) -> list[FormGroup]:
    """Items grouped by field in order of first appearance down the tree, as in Biểu số 2."""
    items = submission.items.select_related("exemplar__field", "exemplar__unit").order_by(
        "exemplar__unit__path", "exemplar__pk")
    groups: dict[int, tuple[str, list[FormItem]]] = {}
    for it in items:
        ex = it.exemplar
        groups.setdefault(ex.field_id, (ex.field.name, []))[1].append(FormItem(
            name=ex.name, collective=ex.kind == Kind.COLLECTIVE, individual=ex.kind == Kind.INDIVIDUAL,
            address=ex.address, problem_html=ex.content_problem, actors_html=ex.content_actors,
            results_html=ex.content_results, new=ex.origin == Origin.NEW,
            replication=ex.origin == Origin.REPLICATION, continued_from=ex.year if it.continued else None))
    return [FormGroup(title, entries) for title, entries in groups.values()]


def _what_is_registered(groups: list[FormGroup]) -> str:
    items = [i for g in groups for i in g.items]
    fresh = [i for i in items if i.continued_from is None]
    parts = []
    if any(i.new for i in fresh) or not items:
        parts.append("xây dựng mới")
    if any(i.replication for i in fresh):
        parts.append("nhân rộng")
    if len(fresh) < len(items):
        parts.append("tiếp tục xây dựng")
    return ", ".join(parts[:-1]) + " và " + parts[-1] if len(parts) > 1 else parts[0]


def consolidated_registration(submission: Submission) -> LetterSpec:
    rnd, unit = submission.round, submission.unit
    parent = rnd.issuer
    groups = form_groups(submission)
    if submission.signed_date:
        date = DocDate.of(submission.signed_date)
    elif submission.submitted_at:
        date = _local_date(submission.submitted_at)
    else:  # not yet signed: the clerk writes the day in, the month and year are this one's ("ngày … tháng 4 năm 2021")
        today = timezone.localdate()
        date = DocDate(None, today.month, today.year)
    on = day_of(date)
    issuer = issuer_of(unit, on)
    body: list[str | Para] = []
    if rnd.guidance:
        body.append(Para.markup(f"Thực hiện {_italic_movement(rnd.guidance.rstrip(';. '))};"))
    body.append(Para.markup(
        f"{issuer.display_name} đăng ký {_what_is_registered(groups)} mô hình, điển hình {MOVEMENT} "
        f"năm {rnd.year} (*có biểu mẫu số 2 đính kèm*)."))
    body.append(f"Kính gửi {address_name(parent, on)} theo dõi, tổng hợp./.")
    spec = LetterSpec(
        issuer=issuer, number=submission.signed_number, date=date,
        subject=f"V/v đăng ký mô hình, điển hình\n{MOVEMENT} năm {rnd.year}",
        recipients=[address_name(parent, on)], body=body, copies=defaults_for(unit).copy_lines(),
        signature=signature_of(unit))
    spec.appendices.append(FormSpec(groups=groups, attached_to=attachment_line(spec), label="Biểu số 2"))
    return spec


def form_only(submission: Submission) -> FormSpec:
    """The Biểu số 2 table alone (for Excel)."""
    letter = consolidated_registration(submission)
    return letter.appendices[0]  # type: ignore[return-value]


def dossier_list(submission: Submission) -> SimpleTable:
    """Seed 003's "Danh sách tập thể và cá nhân đăng ký xây dựng mô hình"."""
    rows = []
    for it in submission.items.select_related("exemplar__field", "exemplar__unit").order_by(
            "exemplar__unit__path", "exemplar__pk"):
        ex = it.exemplar
        who = ex.unit.name if ex.kind == Kind.COLLECTIVE else (_actors_text(ex.content_actors) or ex.unit.name)
        name = f"{ex.name} (Tiếp tục xây dựng, đăng ký năm {ex.year})" if it.continued else ex.name
        rows.append([who, name, ex.get_kind_display(), ex.field.name])
    return registration_list(rows, unit_line=submission.unit.name.upper())


def _actors_text(html: str) -> str:
    from danvan.foundation.html import html_to_text

    return html_to_text(html).replace("\n", " ")


# ---- the launch letter (seed 000) -------------------------------------------------------------

def _deadline_text(rnd: RegistrationRound) -> str:
    return DocDate.of(timezone.localdate(rnd.deadline)).short()


def launch_letter(rnd: RegistrationRound) -> LetterSpec:
    unit = rnd.issuer
    date = _local_date(rnd.created_at)
    issuer = issuer_of(unit, day_of(date))
    name = issuer.display_name
    d = defaults_for(unit)
    children = d.children_name or "Các đơn vị trực thuộc"
    body: list[str | Para] = []
    intro = f"Thực hiện {_italic_movement(rnd.guidance.rstrip(';. '))}; " if rnd.guidance else ""
    body.append(Para.markup(
        f"{intro}{name} đề nghị {children[0].lower() + children[1:]} triển khai đăng ký thực hiện mô hình, "
        f'điển hình "*Dân vận khéo*" năm {rnd.year}, cụ thể như sau:'))
    body.append(heading("1. Nội dung thực hiện"))
    body.extend(p for p in (rnd.instructions or "").split("\n") if p.strip())
    if not rnd.instructions:
        body.append("Căn cứ nhiệm vụ chính trị của đơn vị để lựa chọn nội dung đăng ký mô hình, điển hình phù hợp.")
    body.append(heading("2. Quy mô, thời gian đăng ký thực hiện"))
    body.append(subheading("a) Về quy mô"))
    body.append(f"Đăng ký {rnd.quota_text()} mỗi đơn vị theo biểu mẫu đính kèm.")
    body.append(subheading("b) Về thời gian hoàn thành đăng ký mô hình:"))
    email = f" và gửi file mềm qua địa chỉ email: {d.soft_file_email}" if d.soft_file_email else ""
    body.append(Para.markup(
        f"Các đơn vị hoàn thành đăng ký mô hình, điển hình \"*Dân vận khéo*\" năm {rnd.year} gửi văn bản về "
        f"{name}{email} trước ngày **{_deadline_text(rnd)}** để tổng hợp, đăng ký với cơ quan có thẩm quyền."))
    body.append(f"Yêu cầu {children[0].lower() + children[1:]} khẩn trương triển khai thực hiện./.")
    spec = LetterSpec(
        issuer=issuer, date=date,
        subject=f"V/v đăng ký mô hình, điển hình\n{MOVEMENT} năm {rnd.year}", recipients=[children], body=body,
        copies=["Như trên", *[c for c in d.copy_lines() if c.lower() != "như trên"]], signature=signature_of(unit))
    spec.appendices.append(blank_form(attached_to=attachment_line(spec)))
    return spec


# ---- the reminder letter (seed 003) -----------------------------------------------------------

def reminder_letter(rnd: RegistrationRound, lagging: list[Submission]) -> LetterSpec:
    unit = rnd.issuer
    names = [s.unit.name for s in lagging]
    body: list[str | Para] = []
    basis = f"Thực hiện {_italic_movement(rnd.guidance.rstrip(';. '))}, " if rnd.guidance else ""
    body.append(Para.markup(
        f"{basis}{unit.name} đã đề nghị các đơn vị đăng ký mô hình, điển hình \"*Dân vận khéo*\" năm {rnd.year} "
        f"trước ngày {_deadline_text(rnd)}. Qua theo dõi, đến nay các đơn vị sau chưa hoàn thành việc đăng ký:"))
    body.extend(f"- {n};" if i < len(names) - 1 else f"- {n}." for i, n in enumerate(names))
    body.append(f"Để thực hiện nghiêm túc kế hoạch, {unit.name} yêu cầu các đơn vị nêu trên thực hiện một số nội dung sau:")
    body.append(f"1. Mỗi đơn vị đăng ký {rnd.quota_text()}.")
    body.append(Para.markup(
        "2. Hồ sơ đăng ký xây dựng mô hình, điển hình \"*Dân vận khéo*\" bao gồm: Công văn đăng ký, nội dung phát "
        "động phong trào thi đua \"*Dân vận khéo*\" của đơn vị; Danh sách tập thể và cá nhân đăng ký xây dựng mô "
        "hình \"*Dân vận khéo*\"."))
    body.append(f"3. Khẩn trương hoàn thành và gửi hồ sơ về {unit.name}; hồ sơ gửi sau ngày "
                f"{_deadline_text(rnd)} được ghi nhận là gửi muộn.")
    body.append("Yêu cầu lãnh đạo các đơn vị triển khai thực hiện nghiêm túc./.")
    return LetterSpec(
        issuer=issuer_of(unit), date=DocDate.of(timezone.localdate()),
        subject=f"V/v đôn đốc đăng ký mô hình, điển hình\n{MOVEMENT} năm {rnd.year}",
        recipients=names or ["Các đơn vị trực thuộc"], body=body,
        copies=["Như trên", *[c for c in defaults_for(unit).copy_lines() if c.lower() != "như trên"]],
        signature=signature_of(unit))
