"""Restructuring: move, merge, split and retire units, each step a `UnitSuccession` (who, when, note).

A merged or retired unit stays in place with its exemplars and ends on the date; `selectors` reads the tree as it was.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from danvan.orgs import permissions
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.permissions import Actor

from .administration import check_unit_admin, create_unit, refuse_ended
from .importing import DOC_FIELDS
from .models import SuccessionKind, UnitSuccession


def _active(unit: OrgUnit, on: date) -> bool:
    return unit.valid_to is None or unit.valid_to > on


def _active_children(unit: OrgUnit, on: date) -> int:
    return OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)).count()


def move_unit(*, by: Actor, unit: OrgUnit, new_parent: OrgUnit, on: date, note: str = "") -> UnitSuccession:
    """Move a subtree under another parent; its exemplars and submissions stay with their units."""
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        new_parent = OrgUnit.objects.get(pk=new_parent.pk)
        old_parent = OrgUnit.objects.get_parent(unit)
        check_unit_admin(by, unit)
        check_unit_admin(by, new_parent)
        refuse_ended(new_parent, "chọn làm đơn vị cấp trên mới", on)
        if new_parent.path.startswith(unit.path):
            raise ValidationError(f"Không thể chuyển «{unit.name}» vào «{new_parent.name}»: "
                                  "đơn vị cấp trên mới nằm trong chính nó (vòng lặp).")
        if old_parent is not None and old_parent.pk == new_parent.pk:
            raise ValidationError(f"«{unit.name}» đã thuộc «{new_parent.name}».")
        if not _active(new_parent, on):
            raise ValidationError(f"«{new_parent.name}» đã hết hiệu lực.")
        if unit.level.rank < new_parent.level.rank:
            raise ValidationError(f"Cấp «{unit.level.name}» cao hơn cấp của «{new_parent.name}».")
        OrgUnit.objects.move(unit, new_parent, "last-child")
        return UnitSuccession.objects.create(predecessor=unit, successor=unit, kind=SuccessionKind.MOVE, date=on,
                                             from_parent=old_parent, to_parent=new_parent, note=note,
                                             created_by=permissions.author(by))


def merge_units(*, by: Actor, units: list[OrgUnit], on: date, into: OrgUnit | None = None, new: dict | None = None,
                note: str = "") -> OrgUnit:
    """Merge `units` into an existing unit or a new one (`new`: code, name, parent, level, kind, …).

    The merged units end on `on` and stay where they were, with their exemplars and submissions;
    their active children move under the successor; their people become the successor's.
    """
    if not units:
        raise ValidationError("Hãy chọn ít nhất một đơn vị để hợp nhất.")
    with transaction.atomic():
        for u in units:
            check_unit_admin(by, u)
            if not _active(u, on):
                raise ValidationError(f"«{u.name}» đã hết hiệu lực từ {u.valid_to:%d/%m/%Y}.")
        if into is not None:
            refuse_ended(into, "chọn làm đơn vị kế thừa", on)
        if into is None:
            if not new:
                raise ValidationError("Hãy chọn đơn vị kế thừa hoặc nhập đơn vị mới.")
            parent = new["parent"]
            for u in units:
                if parent.path.startswith(u.path):
                    raise ValidationError(f"Đơn vị cấp trên của đơn vị mới nằm trong «{u.name}» (vòng lặp).")
            into = create_unit(by=by, parent=parent, code=new["code"], name=new["name"], level=new["level"],
                               kind=new["kind"], **{k: v for k, v in new.items()
                                                    if k in DOC_FIELDS and k != "name"})
            into.valid_from = on
            into.save(update_fields=["valid_from"])
        else:
            check_unit_admin(by, into)
            for u in units:
                if u.pk == into.pk:
                    raise ValidationError("Đơn vị kế thừa không thể là một trong các đơn vị bị hợp nhất.")
                if into.path.startswith(u.path):
                    raise ValidationError(f"«{into.name}» nằm trong «{u.name}»: hợp nhất như vậy tạo vòng lặp.")
        for u in units:
            for child in list(OrgUnit.objects.get_children(OrgUnit.objects.get(pk=u.pk))):
                if _active(child, on):
                    move_unit(by=by, unit=child, new_parent=into, on=on,
                              note=f"Chuyển theo việc hợp nhất «{u.name}» vào «{into.name}».")
            OrgUnit.objects.filter(pk=u.pk).update(valid_to=on)
            for m in Membership.objects.filter(unit_id=u.pk):
                if Membership.objects.filter(user_id=m.user_id, unit=into, role=m.role).exists():
                    m._history_user = by  # type: ignore[attr-defined]
                    m.delete()
                else:
                    m.unit = into
                    m._history_user = by  # type: ignore[attr-defined]
                    m.save()
            UnitSuccession.objects.create(predecessor=u, successor=into, kind=SuccessionKind.MERGE, date=on,
                                          note=note, created_by=permissions.author(by))
    into.refresh_from_db()
    return into


def split_unit(*, by: Actor, unit: OrgUnit, into: list[OrgUnit], on: date, note: str = "") -> list[UnitSuccession]:
    """`unit` ends on `on`, split into existing units (created beforehand); each successor carries its history.

    Its active children must first be moved to the successor they belong to; its people keep their role
    until an administrator gives them one in a successor.
    """
    check_unit_admin(by, unit)
    if len(into) < 2:
        raise ValidationError("Chia tách cần ít nhất hai đơn vị kế thừa.")
    if not _active(unit, on):
        raise ValidationError(f"«{unit.name}» đã hết hiệu lực.")
    for s in into:
        check_unit_admin(by, s)
        refuse_ended(s, "chọn làm đơn vị kế thừa", on)
        if s.path.startswith(unit.path):
            raise ValidationError(f"«{s.name}» nằm trong «{unit.name}»: chia tách như vậy tạo vòng lặp.")
    active_children = _active_children(unit, on)
    if active_children:
        raise ValidationError(f"«{unit.name}» còn {active_children} đơn vị trực thuộc đang hoạt động; "
                              "hãy chuyển chúng sang đơn vị kế thừa trước.")
    with transaction.atomic():
        OrgUnit.objects.filter(pk=unit.pk).update(valid_to=on)
        return [UnitSuccession.objects.create(predecessor=unit, successor=s, kind=SuccessionKind.SPLIT, date=on,
                                              note=note, created_by=permissions.author(by)) for s in into]


def retire_unit(*, by: Actor, unit: OrgUnit, on: date, note: str = "") -> UnitSuccession:
    check_unit_admin(by, unit)
    if not _active(unit, on):
        raise ValidationError(f"«{unit.name}» đã hết hiệu lực.")
    active_children = _active_children(unit, on)
    if active_children:
        raise ValidationError(f"«{unit.name}» còn {active_children} đơn vị trực thuộc đang hoạt động; "
                              "hãy chuyển hoặc hợp nhất chúng trước.")
    with transaction.atomic():
        OrgUnit.objects.filter(pk=unit.pk).update(valid_to=on)
        return UnitSuccession.objects.create(predecessor=unit, successor=None, kind=SuccessionKind.RETIRE,
                                             date=on, note=note, created_by=permissions.author(by))
