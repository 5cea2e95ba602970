"""The people import: preview and apply a file of accounts and their roles; new accounts are invited by e-mail."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from danvan.orgs.models import Membership, OrgUnit, Role, role_label
from danvan.orgs.permissions import Actor, grantable_roles

from . import accounts
from .importing import (
    PEOPLE_COLUMNS,
    PEOPLE_LABELS,
    PEOPLE_REQUIRED,
    RACED,
    Applied,
    Preview,
    chunks,
    close_run,
    fold_header,
    one_at_a_time,
    open_table,
    refusal,
)
from .models import ImportKind, ImportRun

_ROLE_NAMES: dict[str, str] = {}


def _role(value: str) -> str | None:
    """A role by its code or its Vietnamese name, with or without accents."""
    if not _ROLE_NAMES:
        for v, label in Role.choices:
            _ROLE_NAMES[fold_header(v)] = _ROLE_NAMES[fold_header(str(label))] = v
    return _ROLE_NAMES.get(value) or _ROLE_NAMES.get(fold_header(value))


def preview_people(data: bytes, filename: str, *, by: Actor) -> Preview:
    preview, _ = open_table(ImportKind.PEOPLE, data, filename, PEOPLE_COLUMNS, PEOPLE_REQUIRED, PEOPLE_LABELS)
    if preview.file_errors:
        return preview
    User = get_user_model()
    username_ok = UnicodeUsernameValidator()
    rows = preview.rows
    seen_user: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for row in rows:
        v = row.values
        v["email"] = v["email"].lower()
        if not v["username"]:
            row.errors.append("Thiếu tên đăng nhập.")
        else:
            try:
                username_ok(v["username"])
                if len(v["username"]) > 150:
                    raise ValidationError("")
            except ValidationError:
                row.errors.append(f"Tên đăng nhập «{v['username']}» không hợp lệ (chỉ chữ, số và . @ + - _).")
            key = v["username"].lower()
            if key in seen_user:
                row.errors.append(f"Tên đăng nhập «{v['username']}» trùng với dòng {seen_user[key]}.")
            else:
                seen_user[key] = row.line
        if not v["full_name"]:
            row.errors.append("Thiếu họ và tên.")
        if not v["email"]:
            row.errors.append("Thiếu thư điện tử.")
        else:
            try:
                validate_email(v["email"])
            except ValidationError:
                row.errors.append(f"Thư điện tử «{v['email']}» không hợp lệ.")
            if v["email"] in seen_email:
                row.errors.append(f"Thư điện tử «{v['email']}» trùng với dòng {seen_email[v['email']]}.")
            else:
                seen_email[v["email"]] = row.line
        role = _role(v["role"])
        if role is None:
            row.errors.append(f"Vai trò «{v['role']}» không có; dùng: "
                              + ", ".join(f"{c} ({label})" for c, label in Role.choices) + ".")
        else:
            v["role"] = role
        if not v["unit_code"]:
            row.errors.append("Thiếu mã đơn vị.")
    unit_codes = sorted({r.values["unit_code"] for r in rows if r.values["unit_code"]})
    units: dict[str, OrgUnit] = {}
    for chunk in chunks(unit_codes):
        units.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk).only("pk", "code", "path", "name",
                                                                                      "valid_to")})
    # Usernames are one name whatever their case: "VP.SKHCN" is the existing "vp.skhcn".
    names = sorted({r.values["username"].lower() for r in rows if r.values["username"]})
    emails = sorted({r.values["email"] for r in rows if r.values["email"]})
    by_name: dict[str, tuple[int, str, str]] = {}
    folded_names = User.objects.annotate(username_folded=Lower("username"))
    for chunk in chunks(names):
        for pk, un, em in folded_names.filter(username_folded__in=chunk).values_list("pk", "username", "email"):
            by_name[un.lower()] = (pk, un, (em or "").lower())
    email_owner: dict[str, str] = {}
    by_email = User.objects.exclude(email="").annotate(email_folded=Lower("email"))
    if len(emails) > 2000:  # one scan of the accounts beats thousands of case-insensitive lookups
        wanted = set(emails)
        email_owner = {e: u for e, u in by_email.values_list("email_folded", "username") if e in wanted}
    else:
        for chunk in chunks(emails):
            email_owner.update(by_email.filter(email_folded__in=chunk).values_list("email_folded", "username"))
    # Existing memberships of the existing users, to tell "unchanged" from "add a role".
    have: set[tuple[int, int, str]] = set()
    user_pks = [t[0] for t in by_name.values()]
    for chunk in chunks(user_pks):
        have.update(Membership.objects.filter(user_id__in=chunk).values_list("user_id", "unit_id", "role"))
    grants_cache: dict[int, list[str]] = {}
    for row in rows:
        v = row.values
        unit = units.get(v["unit_code"])
        if v["unit_code"] and unit is None:
            row.errors.append(f"Không có đơn vị mã «{v['unit_code']}» trong hệ thống.")
        elif unit is not None and unit.ended:
            row.errors.append(f"Đơn vị «{unit.name}» đã hợp nhất, chia tách hoặc kết thúc hoạt động từ "
                              f"{unit.valid_to:%d/%m/%Y}: không thêm người vào được.")
            unit = None
        if unit is not None and v["role"] in Role.values:
            if unit.pk not in grants_cache:
                grants_cache[unit.pk] = grantable_roles(by, unit)
            if v["role"] not in grants_cache[unit.pk]:
                row.errors.append(f"Bạn không được cấp vai trò «{role_label(v['role'])}» tại «{unit.name}».")
        known = by_name.get(v["username"].lower())
        owner = email_owner.get(v["email"])
        if known and known[1] != v["username"]:
            row.errors.append(f"Tên đăng nhập «{v['username']}» trùng với tài khoản «{known[1]}» đã có (tên đăng "
                              f"nhập không phân biệt chữ hoa, chữ thường): hãy ghi đúng «{known[1]}».")
        elif known and known[2] != v["email"]:
            row.errors.append(f"Tên đăng nhập «{v['username']}» đã có trong hệ thống với thư điện tử khác.")
        elif owner and owner.lower() != v["username"].lower():
            row.errors.append(f"Thư điện tử «{v['email']}» đã dùng cho tài khoản «{owner}».")
        if row.errors:
            continue
        if known and unit is not None:
            row.action = "unchanged" if (known[0], unit.pk, v["role"]) in have else "add-membership"
        else:
            row.action = "create"
    return preview


def unusable_password() -> str:
    """What `set_unusable_password` stores ("!" + random), without its slow per-character random choice."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def apply_people(data: bytes, filename: str, *, by: Actor, run: ImportRun | None = None,
                 send_invites: bool = True) -> Applied:
    try:
        return _apply_people(data, filename, by=by, run=run, send_invites=send_invites)
    except IntegrityError:
        raise ValidationError(RACED, code="raced") from None


def _apply_people(data: bytes, filename: str, *, by: Actor, run: ImportRun | None, send_invites: bool) -> Applied:
    User = get_user_model()
    with transaction.atomic():
        one_at_a_time(ImportKind.PEOPLE, run)
        preview = preview_people(data, filename, by=by)
        if not preview.ok:
            raise refusal(preview)
        result = Applied(preview, run)
        creates = [r for r in preview.rows if r.action == "create"]
        adds = [r for r in preview.rows if r.action == "add-membership"]
        users = [User(username=r.values["username"], first_name=r.values["full_name"], last_name="",
                      email=r.values["email"], is_active=False, password=unusable_password())
                 for r in creates]
        User.objects.bulk_create(users, batch_size=2000)
        todo = creates + adds
        names = [r.values["username"] for r in todo]
        user_ids: dict[str, int] = {}
        for chunk in chunks(names):
            user_ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        codes = sorted({r.values["unit_code"] for r in todo})
        unit_ids: dict[str, int] = {}
        for chunk in chunks(codes):
            unit_ids.update(OrgUnit.objects.filter(code__in=chunk).values_list("code", "pk"))
        memberships = [Membership(user_id=user_ids[r.values["username"]], unit_id=unit_ids[r.values["unit_code"]],
                                  role=r.values["role"], title=r.values["title"][:150]) for r in todo]
        bulk_create_with_history(memberships, Membership, batch_size=2000, default_user=by,
                                 default_change_reason="Nhập danh sách người dùng")
        result.created, result.updated = len(creates), len(adds)
        new_ids = [user_ids[r.values["username"]] for r in creates]
        if send_invites and new_ids:
            result.invited = accounts.queue_invites(new_ids)
        close_run(run, data, filename, by, ImportKind.PEOPLE, result)
    return result
