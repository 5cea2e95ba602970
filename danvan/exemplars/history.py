"""The change history of an exemplar as a person reads it (issue 16 §8): each change with the field's Vietnamese
label and the old and new values shown as the pages show them — a status by its name, a unit, field or person by
name, a date as dd/mm/yyyy — never field names, codes or ids."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from danvan.foundation.html import html_to_text

from .models import Exemplar

HISTORY_LIMIT = 50
VALUE_CHARS = 80


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    who: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _label(f: models.Field) -> str:
    name = str(f.verbose_name)
    return name[:1].upper() + name[1:]


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def _names(pairs: dict[type[models.Model], set]) -> dict[tuple[type[models.Model], object], str]:
    """One query per related model for every id the shown changes mention."""
    out: dict[tuple[type[models.Model], object], str] = {}
    user_model = get_user_model()
    for model, ids in pairs.items():
        for obj in model._default_manager.filter(pk__in=[i for i in ids if i is not None]):
            out[(model, obj.pk)] = _person(cast(User, obj)) if model is user_model else str(getattr(obj, "name", None) or obj)
    return out


def _value(f: models.Field, raw, names) -> str:
    if raw is None or raw == "":
        return "—"
    if f.is_relation and f.related_model is not None:
        return names.get((f.related_model, raw), "(đã xóa)")
    if f.choices:
        return str(dict(f.flatchoices).get(raw, raw))
    if isinstance(raw, bool):
        return "Có" if raw else "Không"
    if isinstance(raw, datetime.datetime):
        return timezone.localtime(raw).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(raw) else raw.strftime(
            "%d/%m/%Y %H:%M")
    if isinstance(raw, datetime.date):
        return raw.strftime("%d/%m/%Y")
    text = str(raw)
    return _short(html_to_text(text) if "<" in text else text)


def timeline(ex: Exemplar, limit: int = HISTORY_LIMIT) -> list[Entry]:
    """The last `limit` records of `ex`'s history, newest first, each compared with the one before it."""
    records = list(ex.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit + 1])
    diffs = [(rec, rec.diff_against(older).changes if older is not None else [])
             for rec, older in zip(records[:limit], [*records[1:], None], strict=False)]
    fields = {f.name: f for f in Exemplar._meta.concrete_fields}
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for _, changes in diffs:
        for c in changes:
            f = fields.get(c.field)
            if f is not None and f.is_relation and f.related_model is not None:
                wanted[f.related_model].update([c.old, c.new])
    names = _names(wanted)
    out = []
    for rec, changes in diffs:
        if rec.history_change_reason:
            action = rec.history_change_reason
        else:
            action = {"+": "Tạo mới", "-": "Xóa hẳn"}.get(rec.history_type, "Sửa")
        shown = [Change(_label(fields[c.field]), _value(fields[c.field], c.old, names),
                        _value(fields[c.field], c.new, names)) for c in changes if c.field in fields]
        out.append(Entry(rec.history_date, _person(rec.history_user) if rec.history_user else "—", action, shown))
    return out
