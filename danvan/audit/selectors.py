"""The admins' audit log: every recorded change in their subtree, newest first.

Each source is already written by the code that makes the change: exemplar history
(django-simple-history), submission timeline events, membership history, unit edits and
restructurings (onboarding), and possible-duplicate flags (search).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from danvan.exemplars.models import Exemplar
from danvan.movement.models import SubmissionEvent
from danvan.orgs import permissions
from danvan.orgs.models import Membership
from danvan.orgs.permissions import Actor

KINDS = {"exemplar": "Mô hình, điển hình", "submission": "Hồ sơ đăng ký", "membership": "Thành viên đơn vị",
         "unit": "Đơn vị, sắp xếp đơn vị", "duplicate": "Đánh dấu có thể trùng"}
HISTORY_ACTIONS = {"+": "Tạo", "~": "Sửa", "-": "Xóa hẳn"}
LIMIT = 300


@dataclass
class Entry:
    at: datetime.datetime
    user: str
    kind: str
    action: str
    object_id: int
    label: str
    url: str
    detail: str = ""


@dataclass
class AuditFilter:
    username: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: str = ""
    object_id: int | None = None


def _name(u) -> str:
    return (u.get_full_name() or u.username) if u is not None else "Hệ thống"


def _scope(qs, paths: list[str] | None, prefix: str, f: AuditFilter, at: str, who: str, pk: str):
    if paths is not None:
        qs = qs.filter(permissions.paths_q(paths, prefix))
    if f.username:
        qs = qs.filter(**{f"{who}__username": f.username})
    if f.date_from:
        qs = qs.filter(**{f"{at}__gte": _day_start(f.date_from)})
    if f.date_to:
        qs = qs.filter(**{f"{at}__lt": _day_start(f.date_to + datetime.timedelta(days=1))})
    if f.object_id is not None:
        qs = qs.filter(**{pk: f.object_id})
    return qs.order_by(f"-{at}")[:LIMIT]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _exemplars(paths, f: AuditFilter) -> list[Entry]:
    qs = Exemplar.history.select_related("history_user", "unit")  # type: ignore[attr-defined]
    rows = _scope(qs, paths, "unit__", f, "history_date", "history_user", "id")
    return [Entry(r.history_date, _name(r.history_user), "exemplar",
                  r.history_change_reason or HISTORY_ACTIONS.get(r.history_type, r.history_type), r.id,
                  f"{r.name} — {r.unit.name}", f"/mo-hinh/{r.id}/") for r in rows]


def _events(paths, f: AuditFilter) -> list[Entry]:
    qs = SubmissionEvent.objects.select_related("by", "submission__unit", "submission__round")
    rows = _scope(qs, paths, "submission__unit_", f, "at", "by", "submission_id")
    return [Entry(e.at, _name(e.by), "submission", e.get_action_display(), e.submission_id,
                  f"{e.submission.unit.name} — {e.submission.round.title}", f"/ho-so/{e.submission_id}/",
                  e.comment[:300]) for e in rows]


def _memberships(paths, f: AuditFilter) -> list[Entry]:
    qs = Membership.history.select_related("history_user", "unit", "user")  # type: ignore[attr-defined]
    rows = _scope(qs, paths, "unit__", f, "history_date", "history_user", "id")
    return [Entry(r.history_date, _name(r.history_user), "membership",
                  HISTORY_ACTIONS.get(r.history_type, r.history_type), r.id,
                  f"{_name(r.user)} — {r.get_role_display()} — {r.unit.name}", "") for r in rows]


def _units(paths, f: AuditFilter) -> list[Entry]:
    from danvan.onboarding.models import UnitChange, UnitSuccession

    changes = _scope(UnitChange.objects.select_related("created_by", "unit"), paths, "unit__", f,
                     "created_at", "created_by", "unit_id")
    out = [Entry(c.created_at, _name(c.created_by), "unit", c.get_action_display(), c.unit_id,
                 f"{c.unit.name} ({c.unit.code})", f"/don-vi/{c.unit.code}/",
                 "; ".join(f"{k}: {v}" for k, v in (c.changes or {}).items())[:300]) for c in changes]
    moves = _scope(UnitSuccession.objects.select_related("created_by", "predecessor", "successor"), paths,
                   "predecessor__", f, "created_at", "created_by", "predecessor_id")
    out += [Entry(m.created_at, _name(m.created_by), "unit", m.get_kind_display(), m.predecessor_id,
                  f"{m.predecessor.name} → {m.successor.name}" if m.successor_id else m.predecessor.name,
                  f"/don-vi/{m.predecessor.code}/", f"Hiệu lực {m.date:%d/%m/%Y}. {m.note}"[:300]) for m in moves]
    return out


def _duplicates(paths, f: AuditFilter) -> list[Entry]:
    from danvan.search.models import DuplicateFlag

    flags = _scope(DuplicateFlag.objects.select_related("by", "resolved_by", "exemplar__unit", "other"), paths,
                   "exemplar__unit__", f, "at", "by", "exemplar_id")
    out = []
    for d in flags:
        label, url = f"{d.exemplar.name} ~ {d.other.name}", f"/mo-hinh/{d.exemplar_id}/"
        out.append(Entry(d.at, _name(d.by), "duplicate", "Đánh dấu có thể trùng", d.exemplar_id, label, url))
        if d.resolved_at:
            out.append(Entry(d.resolved_at, _name(d.resolved_by), "duplicate", "Bỏ đánh dấu", d.exemplar_id,
                             label, url))
    return out


def entries(user: Actor, f: AuditFilter) -> list[Entry]:
    paths = permissions.audit_paths(user)
    if paths == []:
        return []
    sources = {"exemplar": _exemplars, "submission": _events, "membership": _memberships, "unit": _units,
               "duplicate": _duplicates}
    chosen = [sources[f.kind]] if f.kind in sources else list(sources.values())
    found = [e for source in chosen for e in source(paths, f)]
    return sorted(found, key=lambda e: e.at, reverse=True)[:LIMIT]
