""""Việc cần làm": what waits for a person, computed from the state of rounds and dossiers (not from notifications).

Per role over a unit (DOMAIN.md §2): the unit's people answer the rounds addressed to it and correct a dossier
sent back (its reason first); the leader approves a dossier handed to them; the office, Board or admin of an
issuing unit reviews what arrived and sees which units are late. An item disappears once the step is done.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone

from danvan.orgs import permissions
from danvan.orgs.permissions import Actor

from .models import Action, RegistrationRound, Status, Submission, SubmissionEvent

LIMIT = 50  # items of one kind on the home page
LATE_ROUNDS = 10  # rounds with late units, each naming its first five


@dataclass
class Todo:
    kind: str  # returned, approval, review, late, answer, relay
    label: str
    text: str
    url: str
    detail: str = ""
    deadline: datetime.datetime | None = None
    overdue: bool = False


def _dt(value: datetime.datetime | None) -> str:
    return f"{timezone.localtime(value):%H:%M ngày %d/%m/%Y}" if value else ""


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else "Hệ thống"


def for_user(user: Actor) -> list[Todo]:
    ms = permissions.memberships(user)
    own = {m.unit_id for m in ms}
    leads = permissions.approving_unit_ids(user)
    issues = set(permissions.issuing_unit_ids(user))
    now = timezone.now()
    items: list[Todo] = []
    open_subs = list(Submission.objects.filter(unit_id__in=own).exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED])
                     .select_related("round__issuer", "unit").order_by("round__deadline", "unit_path")[:LIMIT * 2])
    items += _returned([s for s in open_subs if s.status == Status.RETURNED])
    waiting = [s for s in open_subs if s.awaiting_approval]
    for s in waiting:
        if s.unit_id in leads:
            items.append(Todo("approval", "Chờ bạn phê duyệt", f"Hồ sơ “{s.round.title}” của {s.unit.name}", _url(s),
                              detail=f"{_who(s.approval_requested_by)} trình lúc {_dt(s.approval_requested_at)}; "
                                     f"{s.n_total} mô hình.", deadline=s.round.deadline))
    items += _review(issues)
    items += _late(issues, now)
    items += _relay(user, own)
    for s in open_subs:
        if s.status == Status.RETURNED or s.awaiting_approval:
            continue
        label = "Trả lời yêu cầu báo cáo" if s.round.is_report else "Đơn vị cần đăng ký"
        state = s.display_status()
        items.append(Todo("answer", label, f"“{s.round.title}” — {s.unit.name}", _url(s),
                          detail=f"{s.round.issuer.name} · tình trạng: {state}", deadline=s.round.deadline,
                          overdue=s.round.deadline < now))
    return items


def _url(sub: Submission) -> str:
    return f"/ho-so/{sub.pk}/"


def _returned(subs: list[Submission]) -> list[Todo]:
    reasons: dict[int, SubmissionEvent] = {}
    for e in SubmissionEvent.objects.filter(submission__in=subs, action=Action.RETURN).select_related("by") \
            .order_by("submission_id", "-at", "-pk"):
        reasons.setdefault(e.submission_id, e)
    out = []
    for s in subs:
        ev = reasons.get(s.pk)
        detail = f"Lý do: {ev.comment} — {_who(ev.by)} trả lại lúc {_dt(ev.at)}" if ev else ""
        out.append(Todo("returned", "Bị trả lại, cần bổ sung", f"Hồ sơ “{s.round.title}” của {s.unit.name}",
                        _url(s), detail=detail, deadline=s.round.deadline))
    return out


def _review(issuer_ids: set[int]) -> list[Todo]:
    subs = (Submission.objects.filter(round__issuer_id__in=issuer_ids, status=Status.SUBMITTED)
            .select_related("round", "unit", "submitted_by").order_by("submitted_at")[:LIMIT])
    return [Todo("review", "Hồ sơ gửi đến, chờ xem xét", f"{s.unit.name} — “{s.round.title}”", _url(s),
                 detail=f"Gửi lúc {_dt(s.submitted_at)} bởi {_who(s.submitted_by)}"
                        + (" (muộn hạn)" if s.is_late else "") if s.submitted_at else "")
            for s in subs]


def _late(issuer_ids: set[int], now: datetime.datetime) -> list[Todo]:
    """Per round the user's unit issued, past its deadline: the targets that have not sent."""
    rounds = (RegistrationRound.objects.filter(issuer_id__in=issuer_ids, deadline__lt=now)
              .annotate(n_late=Count("submissions", filter=~Q(submissions__status__in=[Status.SUBMITTED,
                                                                                       Status.ACCEPTED])))
              .filter(n_late__gt=0).select_related("issuer").order_by("-deadline")[:LATE_ROUNDS])
    out = []
    for r in rounds:
        names = list(r.submissions.exclude(status__in=[Status.SUBMITTED, Status.ACCEPTED])
                     .values_list("unit__name", flat=True)[:5])
        more = f" và {r.n_late - len(names)} đơn vị khác" if r.n_late > len(names) else ""
        out.append(Todo("late", "Đơn vị quá hạn chưa gửi", f"“{r.title}”: {r.n_late} đơn vị",
                        f"/dot-dang-ky/{r.pk}/?don_vi={quote(r.issuer.code)}", detail=", ".join(names) + more + ".",
                        deadline=r.deadline, overdue=True))
    return out


def _relay(user: Actor, own: set[int]) -> list[Todo]:
    """Open rounds addressed to a unit with units of its own that it has not relayed yet (its office relays)."""
    subs = list(Submission.objects.filter(unit_id__in=own, unit__numchild__gt=0, round__deadline__gt=timezone.now(),
                                          status__in=[Status.NOT_STARTED, Status.DRAFT, Status.RETURNED])
                .select_related("round", "unit")[:LIMIT])
    done = set(RegistrationRound.objects.filter(parent_round_id__in=[s.round_id for s in subs], issuer_id__in=own)
               .values_list("parent_round_id", "issuer_id"))
    return [Todo("relay", "Chuyển tiếp cho đơn vị trực thuộc", f"“{s.round.title}” — {s.unit.name}",
                 f"/dot-dang-ky/{s.round_id}/chuyen-tiep/{s.unit.code}/",
                 detail=f"Hạn của cấp trên: {_dt(s.round.deadline)}", deadline=s.round.deadline)
            for s in subs if (s.round_id, s.unit_id) not in done and permissions.can_issue(user, s.unit)]
