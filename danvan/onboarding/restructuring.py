"""Restructuring: move, merge, split and retire units, each step a `UnitSuccession` (who, when, note, and the
plan it came from when `plan_import` applied many at once).

A merged or retired unit stays in place with its exemplars and the dossiers of rounds already done, and ends on
the date; `selectors` reads the tree as it was. What it still had to act on goes to its successor: its working
children, its people and its open dossiers (`carry_over`), so nothing is left attached to a closed unit.
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
from .models import ImportRun, SuccessionKind, UnitSuccession


def _active(unit: OrgUnit, on: date) -> bool:
    return unit.valid_to is None or unit.valid_to > on


def _active_children(unit: OrgUnit, on: date) -> int:
    return OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)).count()


def open_dossiers(on: date):
    """The dossiers a unit ending on `on` still has to act on: of rounds of that year or later, not yet accepted.
    Those of earlier years stay where they were, so a report on those years counts the tree as it was."""
    from danvan.movement.models import Status, Submission

    return Submission.objects.filter(round__year__gte=on.year).exclude(status=Status.ACCEPTED)


def open_submissions(unit: OrgUnit, on: date):
    return open_dossiers(on).filter(unit_id=unit.pk).select_related("round")


def submission_clash(unit: OrgUnit, successor: OrgUnit, on: date) -> list[str]:
    """Why `unit`'s open dossiers cannot go to `successor`: both hold a dossier of the same round and `unit`'s
    already has models in it (an empty one is simply dropped)."""
    from danvan.movement.models import Submission

    mine = {s.round_id: s for s in open_submissions(unit, on)}
    if not mine:
        return []
    theirs = set(Submission.objects.filter(unit_id=successor.pk, round_id__in=list(mine))
                 .values_list("round_id", flat=True))
    return [f"«{unit.name}» và «{successor.name}» cùng có hồ sơ đợt «{s.round.title}» và hồ sơ của «{unit.name}» "
            "đã có mô hình; hãy chuyển các mô hình sang một hồ sơ trước khi sắp xếp."
            for rid, s in mine.items() if rid in theirs and s.items.exists()]


def _carry_submissions(unit: OrgUnit, successor: OrgUnit, on: date) -> int:
    from danvan.movement.models import Submission

    moved = 0
    for s in open_submissions(unit, on):
        if Submission.objects.filter(unit_id=successor.pk, round_id=s.round_id).exists():
            if s.items.exists():
                raise ValidationError(submission_clash(unit, successor, on))
            s.delete()  # an empty dossier of a round the successor already answers
            continue
        Submission.objects.filter(pk=s.pk).update(unit_id=successor.pk, unit_path=successor.path)
        moved += 1
    return moved


def _carry_people(unit: OrgUnit, successor: OrgUnit, by: Actor) -> None:
    for m in Membership.objects.filter(unit_id=unit.pk):
        if Membership.objects.filter(user_id=m.user_id, unit=successor, role=m.role).exists():
            m._history_user = by  # type: ignore[attr-defined]
            m.delete()
        else:
            m.unit = successor
            m._history_user = by  # type: ignore[attr-defined]
            m.save()


def carry_over(*, by: Actor, unit: OrgUnit, successor: OrgUnit, on: date, note: str = "",
               batch: ImportRun | None = None) -> None:
    """What `unit`, ending on `on`, hands to `successor`: its working children (moved under it), its people and its
    open dossiers. The merge calls it for its one successor, a split for the successor that takes over."""
    for child in list(OrgUnit.objects.get_children(OrgUnit.objects.get(pk=unit.pk))):
        if _active(child, on):
            move_unit(by=by, unit=child, new_parent=successor, on=on, batch=batch,
                      note=note or f"Chuyển theo việc sắp xếp «{unit.name}» vào «{successor.name}».")
    _carry_people(unit, successor, by)
    _carry_submissions(unit, OrgUnit.objects.get(pk=successor.pk), on)


def move_unit(*, by: Actor, unit: OrgUnit, new_parent: OrgUnit, on: date, note: str = "",
              batch: ImportRun | None = None) -> UnitSuccession:
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
                                             batch=batch, created_by=permissions.author(by))


def merge_units(*, by: Actor, units: list[OrgUnit], on: date, into: OrgUnit | None = None, new: dict | None = None,
                note: str = "", batch: ImportRun | None = None) -> OrgUnit:
    """Merge `units` into an existing unit or a new one (`new`: code, name, parent, level, kind, …).

    The merged units end on `on` and stay where they were, with their exemplars and past dossiers;
    their active children move under the successor; their people and open dossiers become the successor's.
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
            carry_over(by=by, unit=u, successor=into, on=on, batch=batch,
                       note=f"Chuyển theo việc hợp nhất «{u.name}» vào «{into.name}».")
            OrgUnit.objects.filter(pk=u.pk).update(valid_to=on)
            UnitSuccession.objects.create(predecessor=u, successor=into, kind=SuccessionKind.MERGE, date=on,
                                          note=note, batch=batch, created_by=permissions.author(by))
    into.refresh_from_db()
    return into


def split_unit(*, by: Actor, unit: OrgUnit, into: list[OrgUnit], on: date, note: str = "",
               takes_over: OrgUnit | None = None, notes: dict[int, str] | None = None,
               batch: ImportRun | None = None) -> list[UnitSuccession]:
    """`unit` ends on `on`, split into existing units (created beforehand); each successor carries its history.

    Its working children, people and open dossiers go to `takes_over` (one of `into`); without it, the children
    must first be moved to the successor they belong to, and its people keep their role until an administrator
    gives them one in a successor. `notes` tells, per successor pk, which part of the unit it received.
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
    if takes_over is not None and takes_over.pk not in {s.pk for s in into}:
        raise ValidationError(f"«{takes_over.name}» không phải một đơn vị kế thừa của «{unit.name}».")
    with transaction.atomic():
        if takes_over is not None:
            carry_over(by=by, unit=unit, successor=takes_over, on=on, batch=batch,
                       note=f"Chuyển theo việc chia tách «{unit.name}»; «{takes_over.name}» tiếp nhận.")
        active_children = _active_children(unit, on)
        if active_children:
            raise ValidationError(f"«{unit.name}» còn {active_children} đơn vị trực thuộc đang hoạt động; "
                                  "hãy chuyển chúng sang đơn vị kế thừa trước.")
        OrgUnit.objects.filter(pk=unit.pk).update(valid_to=on)
        return [UnitSuccession.objects.create(predecessor=unit, successor=s, kind=SuccessionKind.SPLIT, date=on,
                                              note=(notes or {}).get(s.pk, note), batch=batch,
                                              created_by=permissions.author(by)) for s in into]


def retire_unit(*, by: Actor, unit: OrgUnit, on: date, note: str = "", batch: ImportRun | None = None
                ) -> UnitSuccession:
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
                                             date=on, note=note, batch=batch, created_by=permissions.author(by))
