"""Delegated administration: roles granted and revoked, people added, units created and edited — each within
the subtrees the acting person administers (`orgs.permissions`), each recorded."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from danvan.orgs import codes, permissions
from danvan.orgs.models import (
    NAME_FIELDS,
    FormerName,
    Level,
    Membership,
    OrgUnit,
    Role,
    UnitKind,
    role_label,
)
from danvan.orgs.permissions import Actor, can_grant, can_manage_unit
from danvan.reports import tally

from . import accounts
from .importing import DOC_FIELDS
from .models import UnitChange


def check_unit_admin(by: Actor, unit: OrgUnit) -> None:
    if not can_manage_unit(by, unit):
        raise PermissionDenied(f"Bạn không có quyền quản trị đơn vị «{unit.name}».")


def refuse_ended(unit: OrgUnit, what: str, on: date | None = None) -> None:
    """A merged, split or retired unit (by `on`, else today) takes no new people, no new units under it and is no
    restructuring's target (issue 16 §8)."""
    if unit.ended_by(on):
        raise ValidationError(f"«{unit.name}» đã hợp nhất, chia tách hoặc kết thúc hoạt động từ "
                              f"{unit.valid_to:%d/%m/%Y}: không {what} được.")


def grant_role(*, by: Actor, unit: OrgUnit, user: User, role: str, title: str = "") -> Membership:
    refuse_ended(unit, "cấp vai trò tại đơn vị này")
    if role not in Role.values:
        raise ValidationError("Vai trò không hợp lệ.")
    if not can_grant(by, unit, role):
        raise PermissionDenied(f"Bạn không được cấp vai trò «{role_label(role)}» tại «{unit.name}».")
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(f"«{user.username}» đã có vai trò «{role_label(role)}» tại đơn vị này.")
    m = Membership(user=user, unit=unit, role=role, title=title)
    m._history_user = by  # type: ignore[attr-defined]
    m.save()
    return m


def revoke_role(*, by: Actor, membership: Membership) -> None:
    if not can_grant(by, membership.unit, membership.role):
        raise PermissionDenied(f"Bạn không được thu hồi vai trò «{membership.get_role_display()}» "
                               f"tại «{membership.unit.name}».")
    if membership.user_id == by.pk:
        raise ValidationError("Không tự thu hồi vai trò của chính mình.")
    membership._history_user = by  # type: ignore[attr-defined]
    membership.delete()


def add_person(*, by: Actor, unit: OrgUnit, username: str, full_name: str, email: str, role: str, title: str = ""):
    """A new account for a unit, inactive until the person sets a password through the e-mailed link."""
    User = get_user_model()
    if not can_grant(by, unit, role):
        raise PermissionDenied(f"Bạn không được cấp vai trò «{role_label(role)}» tại «{unit.name}».")
    refuse_ended(unit, "thêm người vào đơn vị này")
    email = email.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"Tên đăng nhập «{username}» đã có.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"Thư điện tử «{email}» đã dùng cho tài khoản khác.")
    with transaction.atomic():
        user = User(username=username, first_name=full_name, last_name="", email=email, is_active=False)
        user.set_unusable_password()
        user.save()
        grant_role(by=by, unit=unit, user=user, role=role, title=title)
        accounts.queue_invites([user.pk])
    return user


UNIT_EDIT_FIELDS = ["code", *DOC_FIELDS, "level", "kind", "email"]


def _check_code(code: str, unit: OrgUnit | None = None) -> None:
    error = codes.code_error(code)
    if error:
        raise ValidationError(error, code="invalid_code")
    if OrgUnit.objects.filter(code=code).exclude(pk=unit.pk if unit else None).exists():
        raise ValidationError(f"Mã đơn vị «{code}» đã có.")


def create_unit(*, by: Actor, parent: OrgUnit, code: str, name: str, level: Level, kind: UnitKind, **doc) -> OrgUnit:
    check_unit_admin(by, parent)
    refuse_ended(parent, "thêm đơn vị trực thuộc")
    _check_code(code)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(f"Mã đơn vị «{code}» đã có.")
    if level.rank < parent.level.rank:
        raise ValidationError(f"Cấp «{level.name}» cao hơn cấp của đơn vị cấp trên «{parent.level.name}».")
    unit = OrgUnit.objects.add_child(parent, create_kwargs={"code": code, "name": name, "level": level,
                                                            "kind": kind, **doc})
    UnitChange.objects.create(unit=unit, action="create", created_by=permissions.author(by),
                              changes={"code": code, "name": name, "parent": parent.code})
    return unit


def _below_level(unit: OrgUnit, level: Level) -> OrgUnit | None:
    """A unit under `unit` whose level is above `level` (the highest first): `unit` cannot take that level."""
    return (OrgUnit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth, level__rank__lt=level.rank)
            .select_related("level").order_by("level__rank", "path").first())


def child_level_error(level: Level, child_name: str, child_level: Level) -> str:
    return (f"Cấp «{level.name}» thấp hơn cấp của đơn vị trực thuộc «{child_name}» ({child_level.name}): cấp của "
            "một đơn vị không thể thấp hơn cấp của các đơn vị trực thuộc.")


def rename_date_error(unit: OrgUnit, renamed_on: date) -> str | None:
    """Why a renaming cannot take effect on `renamed_on`, or None."""
    if renamed_on > timezone.localdate():
        return (f"Ngày đổi tên {renamed_on:%d/%m/%Y} chưa đến: đổi tên vào đúng ngày đó, "
                "để đến ngày ấy các văn bản vẫn in tên hiện nay.")
    last = unit.former_names.order_by("-valid_to").first()
    if last is not None and renamed_on <= last.valid_to:
        return (f"«{unit.name}» đã đổi tên ngày {last.valid_to:%d/%m/%Y}; lần đổi tên mới phải sau ngày đó.")
    if unit.valid_from and renamed_on <= unit.valid_from:
        return f"«{unit.name}» bắt đầu hoạt động ngày {unit.valid_from:%d/%m/%Y}; ngày đổi tên phải sau ngày đó."
    return None


def update_unit(*, by: Actor, unit: OrgUnit, renamed_on: date | None = None, **values) -> OrgUnit:
    """Save a unit's edited fields. With `renamed_on`, a change of its names is a renaming: the names it
    replaces are kept and still printed on documents dated before that day; without it, a correction."""
    check_unit_admin(by, unit)
    parent = OrgUnit.objects.get_parent(unit)
    level = values.get("level", unit.level)
    if parent is not None and level.rank < parent.level.rank:
        raise ValidationError(f"Cấp «{level.name}» cao hơn cấp của đơn vị cấp trên «{parent.level.name}».")
    if level.pk != unit.level_id and unit.numchild and (child := _below_level(unit, level)) is not None:
        raise ValidationError(child_level_error(level, child.name, child.level))
    if "code" in values and values["code"] != unit.code:  # a rename, e.g. repairing a code made before the rule
        _check_code(values["code"], unit)
    renamed = [k for k in NAME_FIELDS if k in values and getattr(unit, k) != values[k]]
    if renamed and renamed_on is not None and (error := rename_date_error(unit, renamed_on)):
        raise ValidationError(error)
    former = FormerName(unit=unit, valid_to=renamed_on, created_by=permissions.author(by),
                        **{k: getattr(unit, k) for k in NAME_FIELDS}) if renamed and renamed_on else None
    changes = {}
    for k, v in values.items():
        if k in UNIT_EDIT_FIELDS and getattr(unit, k) != v:
            changes[k] = [str(getattr(unit, k)), str(v)]
            setattr(unit, k, v)
    if former is not None:
        changes["renamed_on"] = ["", f"{renamed_on:%d/%m/%Y}"]
    if changes:
        with transaction.atomic():
            if former is not None:
                former.save()
            unit.save()
            UnitChange.objects.create(unit=unit, action="update", changes=changes, created_by=permissions.author(by))
            if "level" in changes:  # the country's and the province's counts by level
                tally.refresh_units([unit])
    return unit
