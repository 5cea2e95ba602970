"""The yearly cycle's workflow steps (launch, relay, register, submit, review, consolidate, remind).

Each step exists once here; pages, API and CLI call these functions. Rights come from
`danvan.orgs.permissions`; state changes go through the django-fsm transitions on Submission.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from danvan.exemplars.models import Exemplar, Kind, Movement
from danvan.orgs import permissions
from danvan.orgs.models import Membership, OrgUnit, Role
from danvan.orgs.permissions import SUBTREE_ROLES, Actor

from . import notify, round_kinds
from .models import (
    Action,
    MailStatus,
    NotifyKind,
    RegistrationRound,
    Reminder,
    ReminderKind,
    RoundKind,
    Status,
    Submission,
    SubmissionEvent,
    SubmissionItem,
    TargetMode,
)


@dataclass
class Result[T]:
    obj: T
    warnings: list[str] = field(default_factory=list)


# ---- rights ------------------------------------------------------------------------------------

def _require_issue(user: Actor, unit: OrgUnit) -> None:
    if not permissions.can_issue(user, unit):
        raise PermissionDenied("Bạn không có quyền phát động, xử lý hay nhắc nhở thay cho đơn vị này.")


# ---- launch and relay --------------------------------------------------------------------------

def _validate_quota(min_total: int, min_collective: int, min_individual: int) -> list[str]:
    if min(min_total, min_collective, min_individual) < 0:
        raise ValidationError("Chỉ tiêu không được nhỏ hơn 0.")
    if min_collective + min_individual > min_total:
        return [f"Tổng chỉ tiêu được tính là {min_collective + min_individual} "
                "(bằng số tập thể cộng số cá nhân)."]
    return []


def resolve_targets(issuer: OrgUnit, mode: str, *, units=None, levels=None, kinds=None) -> QuerySet[OrgUnit]:
    below = OrgUnit.objects.filter(path__startswith=issuer.path).exclude(pk=issuer.pk)
    if mode == TargetMode.CHILDREN:
        qs = below.filter(depth=issuer.depth + 1)
    elif mode == TargetMode.CHOSEN:
        qs = below.filter(pk__in=[u.pk for u in (units or [])])
    else:
        qs = below
    if levels:
        qs = qs.filter(level__in=levels)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=timezone.localdate()))


@transaction.atomic
def launch_round(*, issuer: OrgUnit, by: Actor, movement: Movement, year: int, title: str, deadline: datetime.datetime,
                 guidance: str = "", instructions: str = "", min_total: int = 1, min_collective: int = 0,
                 min_individual: int = 0, target_mode: str = TargetMode.CHILDREN, target_units=None,
                 target_levels=None, target_kinds=None, parent_round: RegistrationRound | None = None,
                 kind: str = RoundKind.REGISTRATION, intro_quota: dict | None = None) -> Result[RegistrationRound]:
    _require_issue(by, issuer)
    warnings = _validate_quota(min_total, min_collective, min_individual)
    if not movement.covers(year):
        raise ValidationError(f"Năm {year} nằm ngoài giai đoạn {movement.period_start} - {movement.period_end} "
                              "của phong trào.")
    if deadline < timezone.now():
        warnings.append("Hạn gửi đã qua: các đơn vị gửi từ bây giờ sẽ được ghi nhận là gửi muộn.")
    targets = list(resolve_targets(issuer, target_mode, units=target_units, levels=target_levels,
                                   kinds=target_kinds).values_list("pk", "path"))
    if not targets:
        raise ValidationError("Không có đơn vị nào thuộc đối tượng của đợt này.")
    if parent_round is not None:
        kind, intro_quota = parent_round.kind, parent_round.intro_quota
    if intro_quota and any(not isinstance(n, int) or n < 0 for n in intro_quota.values()):
        raise ValidationError("Số mô hình giới thiệu phải là số nguyên không âm.")
    rnd = RegistrationRound.objects.create(
        kind=kind, intro_quota=intro_quota or {}, issuer=issuer, movement=movement, year=year,
        title=title.strip(), guidance=guidance.strip(),
        instructions=instructions.strip(), deadline=deadline, min_total=min_total, min_collective=min_collective,
        min_individual=min_individual, target_mode=target_mode, parent_round=parent_round,
        root=parent_round.root if parent_round else None, created_by=permissions.author(by),
    )
    if rnd.root_id is None:
        rnd.root = rnd
        rnd.save(update_fields=["root"])
    if target_levels:
        rnd.target_levels.set(target_levels)
    if target_kinds:
        rnd.target_kinds.set(target_kinds)
    Submission.objects.bulk_create(
        [Submission(round=rnd, root_id=rnd.root_id or rnd.pk, unit_id=pk, unit_path=path) for pk, path in targets],
        batch_size=2000,
    )
    _announce(rnd, by)
    return Result(rnd, warnings)


def _announce(rnd: RegistrationRound, by: Actor) -> None:
    """Each target unit's people learn of the round and get the link to their own dossier."""
    deadline = timezone.localtime(rnd.deadline)
    if rnd.is_report:
        kind, verb = NotifyKind.REPORT_REQUEST, "yêu cầu báo cáo"
    elif rnd.parent_round_id:
        kind, verb = NotifyKind.RELAY, "chuyển tiếp đợt"
    else:
        kind, verb = NotifyKind.LAUNCH, "phát động đợt"
    text = (f"{rnd.issuer.name} {verb} “{rnd.title}”, hạn gửi {deadline:%H:%M} ngày {deadline:%d/%m/%Y}: "
            f"{rnd.quota_text()}.")
    subs = {s.unit_id: s for s in rnd.submissions.only("pk", "unit_id")}
    people = Membership.objects.filter(unit_id__in=list(subs), user__is_active=True).select_related("user")
    notify.deliver(kind=kind, by=by, rows=[
        (m.user, text, _sub_url(subs[m.unit_id]), subs[m.unit_id], None) for m in people])


def relayable_submissions(user: Actor, root: RegistrationRound) -> list[Submission]:
    """The user's own units that are targets of this family and have not relayed it yet."""
    unit_ids = permissions.issuing_unit_ids(user)
    qs = Submission.objects.filter(root=root, unit_id__in=unit_ids, unit__numchild__gt=0).exclude(
        unit_id__in=RegistrationRound.objects.filter(root=root, parent_round__isnull=False).values("issuer_id")
    )
    return list(qs.select_related("unit", "round"))


def submission_of(rnd: RegistrationRound, unit: OrgUnit) -> Submission | None:
    return Submission.objects.filter(round=rnd, unit=unit).first()


@transaction.atomic
def relay_round(*, parent_round: RegistrationRound, unit: OrgUnit, by: Actor, deadline: datetime.datetime,
                title: str = "", guidance: str = "", instructions: str = "", min_total: int | None = None,
                min_collective: int | None = None, min_individual: int | None = None,
                target_mode: str = TargetMode.CHILDREN, target_units=None,
                late_reason: str = "") -> Result[RegistrationRound]:
    """A deadline later than the parent's is refused unless `late_reason` says why (it is recorded)."""
    own = submission_of(parent_round, unit)
    if own is None:
        raise ValidationError("Đơn vị này không thuộc đối tượng của đợt đăng ký nên không chuyển tiếp được.")
    if parent_round.relays.filter(issuer=unit).exists():
        raise ValidationError("Đơn vị đã chuyển tiếp đợt này cho các đơn vị trực thuộc rồi.")
    quota: dict[str, int] = {
        "min_total": parent_round.min_total if min_total is None else min_total,
        "min_collective": parent_round.min_collective if min_collective is None else min_collective,
        "min_individual": parent_round.min_individual if min_individual is None else min_individual,
    }
    warnings: list[str] = []
    late_reason = (late_reason or "").strip()
    if deadline > parent_round.deadline:
        parent_deadline = f"{timezone.localtime(parent_round.deadline):%d/%m/%Y %H:%M}"
        if not late_reason:
            raise ValidationError(f"Hạn nội bộ muộn hơn hạn của cấp trên ({parent_deadline}): các đơn vị gửi đúng "
                                  "hạn nội bộ vẫn làm đơn vị trễ hạn với cấp trên. Hãy chọn hạn sớm hơn, hoặc ghi "
                                  "lý do để xác nhận.", code="late_deadline")
        warnings.append(f"Hạn nội bộ muộn hơn hạn của cấp trên ({parent_deadline}); lý do: {late_reason}")
    if any(quota[k] < getattr(parent_round, k) for k in quota):
        warnings.append("Chỉ tiêu thấp hơn chỉ tiêu của cấp trên.")
    result = launch_round(
        issuer=unit, by=by, movement=parent_round.movement, year=parent_round.year,
        title=title or parent_round.title, guidance=guidance or parent_round.guidance, instructions=instructions,
        deadline=deadline, target_mode=target_mode, target_units=target_units, parent_round=parent_round,
        min_total=quota["min_total"], min_collective=quota["min_collective"], min_individual=quota["min_individual"],
    )
    _event(own, Action.RELAY, by, comment=f"Hạn nội bộ: {timezone.localtime(deadline):%d/%m/%Y %H:%M}"
           + (f" (muộn hơn hạn của cấp trên; lý do: {late_reason})" if deadline > parent_round.deadline else ""))
    result.warnings[:0] = warnings
    return result


ROUND_FIELDS = {"title": "Tiêu đề", "guidance": "Căn cứ", "deadline": "Hạn gửi", "min_total": "Tối thiểu số mô hình",
                "min_collective": "Tối thiểu tập thể", "min_individual": "Tối thiểu cá nhân"}


def _shown(value) -> str:
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    return str(value) if value not in ("", None) else "(trống)"


@transaction.atomic
def edit_round(*, round: RegistrationRound, by: Actor, expected_version: int, late_reason: str = "",
               **changes) -> Result[RegistrationRound]:
    """The issuer corrects a round (title, guidance, deadline, quota): each target's dossier log records what
    changed from what to what, and the targets are told. Lateness and quota follow the new values.

    The page and the API both call it with the round's `version` they read; a stale one is refused (`stale`)."""
    rnd = RegistrationRound.objects.select_for_update(of=("self",)).select_related("issuer", "parent_round").get(
        pk=round.pk)
    _require_issue(by, rnd.issuer)
    if rnd.version != expected_version:
        raise ValidationError("Đợt vừa được người khác sửa. Hãy tải lại trang rồi sửa lại; thay đổi của bạn chưa "
                              "được lưu.", code="stale")
    diffs = []
    for key, label in ROUND_FIELDS.items():
        new = changes.get(key)
        if new is None:
            continue
        new = new.strip() if isinstance(new, str) else new
        if new != getattr(rnd, key):
            diffs.append(f"{label}: {_shown(getattr(rnd, key))} → {_shown(new)}")
            setattr(rnd, key, new)
    if not diffs:
        raise ValidationError("Không có thay đổi nào so với đợt hiện tại.", code="unchanged")
    if not rnd.title:
        raise ValidationError("Tiêu đề không được để trống.")
    warnings = _validate_quota(rnd.min_total, rnd.min_collective, rnd.min_individual)
    parent = rnd.parent_round
    if "deadline" in changes and parent is not None and rnd.deadline > parent.deadline:
        if not (late_reason or "").strip():
            raise ValidationError(f"Hạn nội bộ muộn hơn hạn của cấp trên ({_shown(parent.deadline)}). Hãy chọn hạn "
                                  "sớm hơn, hoặc ghi lý do để xác nhận.", code="late_deadline")
        diffs.append(f"Lý do hạn muộn hơn cấp trên: {late_reason.strip()}")
    rnd.version += 1
    rnd.save()
    subs = list(rnd.submissions.select_related("unit", "round"))
    for sub in subs:
        if sub.submitted_at is not None and sub.extended_until is None:
            sub.is_late = sub.submitted_at > rnd.deadline
        sub.round = rnd
        recount(sub)
    Submission.objects.bulk_update(subs, ["is_late", "below_quota"])
    comment = "; ".join(diffs)
    SubmissionEvent.objects.bulk_create([SubmissionEvent(submission=s, action=Action.ROUND_EDIT, by=permissions.author(by),
                                                         comment=comment) for s in subs])
    by_unit = {s.unit_id: s for s in subs}
    people = Membership.objects.filter(unit_id__in=list(by_unit), user__is_active=True).select_related("user")
    text = f"{rnd.issuer.name} sửa đợt “{rnd.title}”: {comment}."
    notify.deliver(kind=NotifyKind.OTHER, by=by, rows=[
        (m.user, text, _sub_url(by_unit[m.unit_id]), by_unit[m.unit_id], None) for m in people])
    return Result(rnd, warnings)


@transaction.atomic
def cancel_relay(*, relay: RegistrationRound, by: Actor, reason: str) -> RegistrationRound:
    """Undo a relay made by mistake while nothing was sent under it (its relays below go with it).

    The targets are told; the unit's models stay (only their attachment to the cancelled dossiers goes), and the
    unit may relay again. Returns the parent round."""
    if relay.parent_round_id is None:
        raise ValidationError("Chỉ hủy được đợt chuyển tiếp; đợt phát động không hủy ở đây.")
    _require_issue(by, relay.issuer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Hãy ghi lý do hủy chuyển tiếp để các đơn vị biết.")
    rounds = list(RegistrationRound.objects.select_for_update().filter(
        root_id=relay.root_id, issuer__path__startswith=relay.issuer.path, parent_round__isnull=False))
    subs = Submission.objects.filter(round__in=rounds)
    if sent := list(subs.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED]).select_related("unit")[:5]):
        raise ValidationError("Không hủy được: đã có đơn vị gửi hồ sơ theo đợt chuyển tiếp này ("
                              + ", ".join(s.unit.name for s in sent) + "). Hãy trả lại các hồ sơ đó trước.")
    people = notify.members(list(subs.values_list("unit_id", flat=True).distinct()))
    notify.notify(kind=NotifyKind.OTHER, users=list(people), by=by,
                  text=f"{relay.issuer.name} hủy chuyển tiếp đợt “{relay.title}”: {reason}. Hồ sơ theo đợt này "
                       "không còn; các mô hình của đơn vị vẫn được giữ.")
    parent = RegistrationRound.objects.get(pk=relay.parent_round_id)
    for rnd in sorted(rounds, key=lambda r: -len(r.issuer.path)):  # the deepest relay first (PROTECT)
        SubmissionItem.objects.filter(submission__round=rnd).delete()
        rnd.submissions.all().delete()
        rnd.delete()
    own = submission_of(parent, relay.issuer)
    if own is not None:
        _event(own, Action.CANCEL_RELAY, by, comment=f"Hủy chuyển tiếp “{relay.title}”. Lý do: {reason}")
    return parent


# ---- registering -------------------------------------------------------------------------------

def _event(sub: Submission, action: str, by: Actor | None, comment: str = "", on_behalf: bool = False) -> None:
    """`by` None: the scheduler's own step (an automatic reminder)."""
    SubmissionEvent.objects.create(submission=sub, action=action, by=permissions.author(by) if by is not None else None,
                                   comment=comment, on_behalf=on_behalf)


def _lock(sub: Submission, expected_version: int | None = None) -> Submission:
    locked = Submission.objects.select_for_update().select_related("round", "unit").get(pk=sub.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError("Hồ sơ vừa được người khác thay đổi. Hãy tải lại trang rồi thao tác lại; "
                              "thay đổi của bạn chưa được lưu.", code="stale")
    return locked


def _require_edit(sub: Submission, by: Actor) -> bool:
    if not permissions.can_edit_unit(by, sub.unit):
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ của đơn vị này.")
    if not sub.is_editable:
        raise ValidationError(f"Hồ sơ đang ở trạng thái “{sub.display_status()}”, không sửa được "
                              "cho đến khi cấp trên trả lại.")
    return permissions.acts_on_behalf(by, sub.unit)


def recount(sub: Submission) -> None:
    kinds = list(sub.items.values_list("exemplar__kind", flat=True))
    sub.n_total = len(kinds)
    sub.n_collective = kinds.count(Kind.COLLECTIVE)
    sub.n_individual = kinds.count(Kind.INDIVIDUAL)
    sub.below_quota = bool(quota_shortfall(sub))


def quota_shortfall(sub: Submission) -> list[str]:
    """What is missing, in the words of a reminder letter ("Còn thiếu 1 mô hình cá nhân")."""
    rnd = sub.round
    check = round_kinds.shortfall_check(rnd.kind)
    if check is not None:  # a kind whose answer is not a list of models (the report request: reports/apps.py)
        return check(sub)
    missing: list[str] = []
    if sub.n_collective < rnd.min_collective:
        missing.append(f"Còn thiếu {rnd.min_collective - sub.n_collective} mô hình tập thể")
    if sub.n_individual < rnd.min_individual:
        missing.append(f"Còn thiếu {rnd.min_individual - sub.n_individual} mô hình cá nhân")
    need_total = max(rnd.min_total, rnd.min_collective + rnd.min_individual)
    extra = need_total - sub.n_total - sum(
        max(0, n) for n in (rnd.min_collective - sub.n_collective, rnd.min_individual - sub.n_individual)
    )
    if extra > 0:
        missing.append(f"Còn thiếu {extra} mô hình, điển hình")
    return missing


def _unit_models(sub: Submission) -> QuerySet[Exemplar]:
    return Exemplar.objects.alive().filter(unit=sub.unit, movement_id=sub.round.movement_id).exclude(
        pk__in=sub.items.values("exemplar_id"))


def attachable_exemplars(sub: Submission) -> QuerySet[Exemplar]:
    """The unit's models registered in the round's year (and movement), not yet in the dossier."""
    return _unit_models(sub).filter(year=sub.round.year)


def continuable_exemplars(sub: Submission) -> QuerySet[Exemplar]:
    """The unit's models of earlier years of the movement, which the dossier may carry as "tiếp tục xây dựng"."""
    return _unit_models(sub).filter(year__lt=sub.round.year).order_by("-year", "name")


def _attach_refusal(sub: Submission, ex: Exemplar, continued: bool) -> str:
    year = sub.round.year
    if ex.unit_id != sub.unit_id or ex.deleted_at is not None:
        return f"“{ex.name}” không phải mô hình của {sub.unit.name}."
    if ex.movement_id != sub.round.movement_id:
        return f"“{ex.name}” thuộc phong trào khác với đợt đăng ký này."
    if sub.items.filter(exemplar=ex).exists():
        return f"“{ex.name}” đã có trong hồ sơ."
    if continued:
        return (f"“{ex.name}” là mô hình năm {ex.year}; chỉ mô hình của năm trước năm {year} mới thêm được "
                "là tiếp tục xây dựng.")
    if ex.year < year:
        return (f"“{ex.name}” là mô hình năm {ex.year}; hồ sơ năm {year} đăng ký mô hình năm {year}. Mô hình "
                "của năm trước hãy thêm bằng “Tiếp tục xây dựng”.")
    return f"“{ex.name}” là mô hình năm {ex.year}, không thuộc đợt đăng ký năm {year}."


@transaction.atomic
def attach_exemplars(*, submission: Submission, exemplars, by: Actor, continued: bool = False,
                     expected_version: int | None = None) -> Submission:
    """Put the unit's models in its dossier: registered in the round's year, or — `continued` — models of an
    earlier year the unit keeps building, labelled and counted as "tiếp tục xây dựng" (page, API, import)."""
    sub = _lock(submission, expected_version)
    behalf = _require_edit(sub, by)
    exemplars = list(exemplars)
    allowed = set((continuable_exemplars(sub) if continued else attachable_exemplars(sub)).filter(
        pk__in=[e.pk for e in exemplars]).values_list("pk", flat=True))
    if refused := [e for e in exemplars if e.pk not in allowed]:
        raise ValidationError(" ".join(_attach_refusal(sub, e, continued) for e in refused[:5]))
    # One item and one log line per exemplar, inserted in bulk (an import attaches up to 2,000 at once).
    SubmissionItem.objects.bulk_create([SubmissionItem(submission=sub, exemplar=ex, added_by=permissions.author(by), continued=continued)
                                        for ex in exemplars], batch_size=500)
    action = Action.CONTINUE if continued else Action.ATTACH
    SubmissionEvent.objects.bulk_create([SubmissionEvent(submission=sub, action=action, by=permissions.author(by), comment=ex.name,
                                                         on_behalf=behalf) for ex in exemplars], batch_size=500)
    return _touch(sub, behalf)


@transaction.atomic
def detach_exemplar(*, submission: Submission, exemplar: Exemplar, by: Actor, expected_version: int | None = None) -> Submission:
    sub = _lock(submission, expected_version)
    behalf = _require_edit(sub, by)
    deleted, _ = SubmissionItem.objects.filter(submission=sub, exemplar=exemplar, via__isnull=True).delete()
    if not deleted:
        raise ValidationError("Mô hình này không có trong hồ sơ (hoặc do đơn vị cấp dưới gửi lên).")
    _event(sub, Action.DETACH, by, comment=exemplar.name, on_behalf=behalf)
    return _touch(sub, behalf)


def _touch(sub: Submission, behalf: bool) -> Submission:
    if sub.status != Status.DRAFT and sub.status != Status.RETURNED:
        sub.edit()
    sub.on_behalf = sub.on_behalf or behalf
    sub.version += 1
    recount(sub)
    sub.save()
    return sub


@transaction.atomic
def update_dossier(*, submission: Submission, by: Actor, expected_version: int | None = None, **fields) -> Submission:
    sub = _lock(submission, expected_version)
    behalf = _require_edit(sub, by)
    allowed = {"launch_content", "letter_file", "launch_file", "signed_scan", "signed_number", "signed_date"}
    changed = []
    for key, value in fields.items():
        if key in allowed and value is not None and value != "":
            setattr(sub, key, value)
            changed.append(getattr(Submission._meta.get_field(key), "verbose_name", key))
    _event(sub, Action.DOSSIER, by, comment=", ".join(str(c) for c in changed), on_behalf=behalf)
    return _touch(sub, behalf)


def stamp_number(sub: Submission, by: Actor, number: str, on: datetime.date | None, action: str,
                 comment: str) -> Submission:
    """The outgoing register's number and date on the dossier's letter, or their removal when it is withdrawn
    (`documents.register`, which holds the dossier's row lock)."""
    sub.signed_number, sub.signed_date = number, on
    sub.version += 1
    sub.save(update_fields=["signed_number", "signed_date", "version"])
    _event(sub, action, by, comment=comment)
    return sub


# ---- consolidation, submit, review --------------------------------------------------------------

def child_round(sub: Submission) -> RegistrationRound | None:
    """The round this submission's unit relayed to its own units, if any."""
    return sub.round.relays.filter(issuer_id=sub.unit_id).first()


def consolidate(sub: Submission, by: Actor) -> int:
    """Bring the exemplars of accepted child submissions into `sub` (idempotent). Returns how many were added.

    Reports are not merged item by item: the parent's numbers are computed over its subtree.
    """
    relayed = None if sub.round.is_report else child_round(sub)
    if relayed is None:
        return 0
    present = set(sub.items.values_list("exemplar_id", flat=True))
    added = 0
    for child in relayed.submissions.filter(status=Status.ACCEPTED):
        for item in child.items.all():
            if item.exemplar_id not in present:
                SubmissionItem.objects.create(submission=sub, exemplar_id=item.exemplar_id, via=child, added_by=permissions.author(by),
                                              continued=item.continued)
                present.add(item.exemplar_id)
                added += 1
    if added:
        _event(sub, Action.CONSOLIDATE, by, comment=f"Thêm {added} mô hình từ đơn vị trực thuộc")
    return added


@transaction.atomic
def consolidate_submission(*, submission: Submission, by: Actor) -> Result[int]:
    sub = _lock(submission)
    behalf = _require_edit(sub, by)
    added = consolidate(sub, by)
    _touch(sub, behalf)
    pending = []
    if relayed := child_round(sub):
        pending = [s.unit.name for s in relayed.submissions.exclude(status=Status.ACCEPTED).select_related("unit")]
    warnings = [f"Chưa tiếp nhận hồ sơ của: {', '.join(pending)}."] if pending else []
    return Result(added, warnings)


@transaction.atomic
def request_approval(*, submission: Submission, by: Actor, expected_version: int | None = None) -> Submission:
    """The officer hands the dossier to the unit's leader to approve and send ("trình lãnh đạo phê duyệt")."""
    sub = _lock(submission, expected_version)
    behalf = _require_edit(sub, by)
    recount(sub)
    if missing := quota_shortfall(sub):
        raise ValidationError("Chưa trình được: " + "; ".join(missing) + ".", code="quota")
    if sub.awaiting_approval:
        raise ValidationError("Hồ sơ đã được trình lãnh đạo lúc "
                              f"{timezone.localtime(sub.approval_requested_at):%d/%m/%Y %H:%M}; đang chờ phê duyệt.",
                              code="already_sent")
    sub.approval_requested_at, sub.approval_requested_by = timezone.now(), permissions.author(by)
    _event(sub, Action.REQUEST_APPROVAL, by, on_behalf=behalf)
    _touch(sub, behalf)
    leaders = notify.members([sub.unit_id], roles=[Role.LEADER])
    notify.notify(kind=NotifyKind.APPROVAL, users=leaders, by=by, submission=sub, url=_sub_url(sub),
                  text=f"{permissions.author(by).get_full_name() or by.username} trình hồ sơ “{sub.round.title}” của {sub.unit.name} "
                       f"({sub.n_total} mô hình), chờ lãnh đạo phê duyệt và gửi lên cấp trên.")
    return sub


@transaction.atomic
def submit(*, submission: Submission, by: Actor, expected_version: int | None = None) -> Result[Submission]:
    sub = _lock(submission)
    if sub.is_sent:
        raise ValidationError("Hồ sơ đã được gửi lúc "
                              f"{timezone.localtime(sub.submitted_at):%d/%m/%Y %H:%M}; không gửi lại lần nữa.",
                              code="already_sent")
    if expected_version is not None and sub.version != expected_version:
        raise ValidationError("Hồ sơ vừa được người khác thay đổi. Hãy tải lại trang, kiểm tra rồi gửi lại.",
                              code="stale")
    if not permissions.can_see_unit(by, sub.unit):
        raise PermissionDenied("Bạn không có quyền với hồ sơ này.")
    if not permissions.can_submit(by, sub):
        raise PermissionDenied("Chỉ lãnh đạo đơn vị (hoặc cấp trên nhập thay) mới được gửi đăng ký.")
    consolidate(sub, by)
    recount(sub)
    if missing := quota_shortfall(sub):
        raise ValidationError("Chưa đủ chỉ tiêu: " + "; ".join(missing) + ".", code="quota")
    behalf = permissions.acts_on_behalf(by, sub.unit)
    now = timezone.now()
    sub.submit()
    sub.submitted_at, sub.submitted_by = now, permissions.author(by)
    sub.is_late = now > sub.effective_deadline
    sub.on_behalf = sub.on_behalf or behalf
    sub.version += 1
    sub.save()
    _event(sub, Action.SUBMIT, by, comment="Gửi muộn hạn" if sub.is_late else "", on_behalf=behalf)
    what = "báo cáo" if sub.round.is_report else ("hồ sơ tổng hợp" if child_round(sub) else "hồ sơ đăng ký")
    notify.notify(kind=NotifyKind.SUBMITTED, users=notify.members([sub.round.issuer_id], roles=SUBTREE_ROLES),
                  by=by, submission=sub, url=_sub_url(sub),
                  text=f"{sub.unit.name} đã gửi {what} “{sub.round.title}”"
                       f"{' (muộn hạn)' if sub.is_late else ''}: chờ xem xét, tiếp nhận hoặc trả lại.")
    return Result(sub, ["Hồ sơ được gửi sau hạn và được ghi nhận là gửi muộn."] if sub.is_late else [])


@transaction.atomic
def extend_deadline(*, submission: Submission, by: Actor, until: datetime.datetime, reason: str) -> Submission:
    """The issuer gives one unit more time: recorded, told to the unit, and a submission within it is on time."""
    sub = _lock(submission)
    _require_issue(by, sub.round.issuer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Hãy ghi lý do gia hạn để đơn vị và cấp trên cùng biết.")
    if sub.status == Status.ACCEPTED:
        raise ValidationError("Hồ sơ đã được tiếp nhận; không cần gia hạn.")
    if until <= sub.round.deadline:
        raise ValidationError("Hạn mới phải muộn hơn hạn chung của đợt "
                              f"({timezone.localtime(sub.round.deadline):%d/%m/%Y %H:%M}).")
    old = timezone.localtime(sub.effective_deadline)
    sub.extended_until = until
    if sub.submitted_at is not None:
        sub.is_late = sub.submitted_at > until
    sub.version += 1
    sub.save()
    new = timezone.localtime(until)
    _event(sub, Action.EXTEND, by, comment=f"Hạn gửi: {old:%d/%m/%Y %H:%M} → {new:%d/%m/%Y %H:%M}. Lý do: {reason}")
    notify.notify(kind=NotifyKind.OTHER, users=notify.members([sub.unit_id]), by=by, submission=sub,
                  url=_sub_url(sub), text=f"{sub.round.issuer.name} gia hạn gửi “{sub.round.title}” cho "
                                          f"{sub.unit.name} đến {new:%H:%M} ngày {new:%d/%m/%Y}: {reason}")
    return sub


def _parent_submission(sub: Submission) -> Submission | None:
    if sub.round.parent_round_id is None:
        return None
    return Submission.objects.filter(round_id=sub.round.parent_round_id, unit_id=sub.round.issuer_id).first()


@transaction.atomic
def accept(*, submission: Submission, by: Actor) -> Submission:
    sub = _lock(submission)
    _require_issue(by, sub.round.issuer)
    if sub.status != Status.SUBMITTED:
        raise ValidationError(f"Chỉ tiếp nhận được hồ sơ đã gửi; hồ sơ đang “{sub.display_status()}”.")
    sub.accept()
    sub.reviewed_at, sub.reviewed_by = timezone.now(), permissions.author(by)
    sub.version += 1
    sub.save()
    _event(sub, Action.ACCEPT, by)
    notify.notify(kind=NotifyKind.ACCEPTED, users=notify.members([sub.unit_id]), by=by, submission=sub,
                  url=_sub_url(sub), text=f"{sub.round.issuer.name} đã tiếp nhận hồ sơ “{sub.round.title}” "
                                          f"của {sub.unit.name}.")
    return sub


@transaction.atomic
def return_submission(*, submission: Submission, by: Actor, comment: str) -> Submission:
    sub = _lock(submission)
    _require_issue(by, sub.round.issuer)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Hãy ghi rõ lý do trả lại để đơn vị biết cần bổ sung gì.")
    if sub.status not in (Status.SUBMITTED, Status.ACCEPTED):
        raise ValidationError(f"Hồ sơ đang “{sub.display_status()}”, không có gì để trả lại.")
    parent = _parent_submission(sub)
    if parent is not None:
        if parent.is_sent:
            raise ValidationError("Đơn vị đã gửi hồ sơ tổng hợp lên cấp trên. Cần cấp trên trả lại hồ sơ tổng hợp "
                                  "trước, rồi mới mở lại hồ sơ của đơn vị cấp dưới.")
        removed, _ = SubmissionItem.objects.filter(submission=parent, via=sub).delete()
        if removed:
            recount(parent)
            parent.version += 1
            parent.save()
    sub.send_back()
    sub.reviewed_at, sub.reviewed_by = timezone.now(), permissions.author(by)
    sub.version += 1
    sub.save()
    _event(sub, Action.RETURN, by, comment=comment)
    notify.notify(kind=NotifyKind.RETURNED, users=notify.members([sub.unit_id]), by=by, submission=sub,
                  url=_sub_url(sub), text=f"Hồ sơ “{sub.round.title}” bị trả lại: {comment}")
    return sub


# ---- reminders ---------------------------------------------------------------------------------

def _sub_url(sub: Submission) -> str:
    return f"/ho-so/{sub.pk}/"


def _notify_unit(sub: Submission, text: str, by: Actor | None) -> list[str]:
    """A reminder: every member is told in the app; the unit gets one e-mail (the Reminder's) to all of them."""
    people = list(notify.members([sub.unit_id]))
    notify.notify(kind=NotifyKind.REMINDER, users=people, text=text, url=_sub_url(sub), by=by, submission=sub,
                  email=False)
    return sorted({u.email for u in people if u.email})


def reminder_text(sub: Submission, extra: str = "") -> str:
    rnd = sub.round
    deadline = timezone.localtime(sub.effective_deadline)
    text = (f"Đề nghị {sub.unit.name} khẩn trương hoàn thành đăng ký “{rnd.title}” ({rnd.quota_text()}), "
            f"gửi trước {deadline:%H:%M} ngày {deadline:%d/%m/%Y}. Tình trạng hiện tại: {sub.display_status()}.")
    return f"{text} {extra.strip()}".strip()


def lagging(rnd: RegistrationRound) -> QuerySet[Submission]:
    return rnd.submissions.exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED])


@transaction.atomic
def remind(*, round: RegistrationRound, submissions, by: Actor, message: str = "") -> list[Reminder]:
    _require_issue(by, round.issuer)
    sent = []
    for sub in submissions:
        if sub.round_id != round.pk:
            raise ValidationError("Chỉ nhắc được các đơn vị thuộc đối tượng của đợt này.")
        if sub.is_sent:
            continue
        sent.append(_send_reminder(sub, ReminderKind.MANUAL, "", by, reminder_text(sub, message)))
    if not sent:
        raise ValidationError("Không có đơn vị nào cần nhắc: các đơn vị được chọn đều đã gửi.")
    return sent


def _send_reminder(sub: Submission, kind: str, key: str, by: Actor | None, text: str) -> Reminder:
    emails = _notify_unit(sub, text, by)
    reminder = Reminder.objects.create(submission=sub, kind=kind, key=key, message=text,
                                       sent_by=permissions.author(by) if by is not None else None,
                                       recipients=", ".join(emails),
                                       email_status=MailStatus.PENDING if emails else MailStatus.NONE)
    _event(sub, Action.REMIND, by, comment=text)
    if emails:
        from .tasks import send_reminder_email

        transaction.on_commit(lambda: send_reminder_email.enqueue(reminder.pk))
    return reminder


def auto_remind(now: datetime.datetime | None = None, days_before: list[int] | None = None) -> list[Reminder]:
    """The scheduler's job: remind lagging units N days before the deadline and on the day.

    Keyed per submission ("before-3", "due"), so running it twice sends nothing twice.
    """
    from django.conf import settings

    now = now or timezone.now()
    today = timezone.localdate(now)
    days = days_before if days_before is not None else settings.REMINDER_DAYS_BEFORE
    sent: list[Reminder] = []
    due_keys = [(today + datetime.timedelta(days=d), f"before-{d}") for d in days] + [(today, "due")]
    for day, key in due_keys:
        # A unit given an extension is reminded against its own deadline.
        subs = Submission.objects.filter(Q(extended_until__isnull=True, round__deadline__date=day)
                                         | Q(extended_until__date=day)).exclude(
            status__in=[Status.SUBMITTED, Status.ACCEPTED]).exclude(reminders__key=key).select_related("round", "unit")
        for sub in subs:
            kind = ReminderKind.DUE_DAY if key == "due" else ReminderKind.BEFORE
            try:
                with transaction.atomic():
                    sent.append(_send_reminder(sub, kind, key, None, reminder_text(sub)))
            except IntegrityError:
                continue  # another scheduler run got there first
    return sent
