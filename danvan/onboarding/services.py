"""Onboarding a province: its tree and people from a file, delegated administration, restructuring.

Every door (pages, CLI, bench) calls `preview_*` then `apply_*` here. `apply_*` re-runs the preview
inside one transaction and refuses the whole file on any problem, so nothing is ever half-applied.
Nothing recurses in Python over the tree: new nodes get materialized paths computed here and are
bulk-inserted; subtrees are path prefixes.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from danvan.orgs import codes, permissions, scoping
from danvan.orgs.models import DocFamily, Level, Membership, OrgUnit, Role, UnitKind
from danvan.orgs.permissions import Actor
from danvan.reports import tally

from . import accounts
from .models import ImportKind, ImportRun, SuccessionKind, UnitChange, UnitSuccession
from .tables import Table, TableError, check_file, read_table, write_csv, write_xlsx

CHUNK = 900  # SQLite's bound on query parameters, with room to spare

# ---------------------------------------------------------------- who may administer what

ROLE_RANK = {Role.OFFICER: 0, Role.LEADER: 1, Role.OFFICE: 2, Role.BOARD: 3, Role.ADMIN: 4}
ADMIN_ROLES = {Role.ADMIN, Role.BOARD}


def admin_paths(user: Actor) -> list[str]:
    """Paths of the subtrees the user administers (admin or board role); [""] for a superuser."""
    if scoping.sees_everything(user):
        return [""]
    return [m.unit.path for m in scoping.memberships(user) if m.role in ADMIN_ROLES]


def can_onboard(user: Actor) -> bool:
    return bool(admin_paths(user))


def can_manage_unit(user: Actor, unit: OrgUnit) -> bool:
    """Create, edit, restructure units and grant roles in this unit's subtree."""
    return any(unit.path.startswith(p) for p in admin_paths(user))


def grantable_roles(user: Actor, unit: OrgUnit) -> list[str]:
    """Roles the user may give or take away at `unit`: never above their own, never outside their subtree.

    A board/admin member over the unit grants up to their own role; a unit's leader manages the
    officers of that very unit.
    """
    if scoping.sees_everything(user):
        return list(Role.values)
    top = -1
    for m in scoping.memberships(user):
        if m.role in ADMIN_ROLES and unit.path.startswith(m.unit.path):
            top = max(top, ROLE_RANK[Role(m.role)])
        elif m.role == Role.LEADER and m.unit_id == unit.pk:
            top = max(top, ROLE_RANK[Role.OFFICER])
    return [r for r in Role.values if ROLE_RANK[Role(r)] <= top]


def can_grant(user: Actor, unit: OrgUnit, role: str) -> bool:
    return role in grantable_roles(user, unit)


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


# ---------------------------------------------------------------- columns

TREE_COLUMNS = ["code", "name", "parent_code", "level", "kind", "header_name", "superior_name", "doc_suffix",
                "place_name", "address", "doc_family"]
TREE_REQUIRED = ["code", "name", "parent_code", "level", "kind"]
TREE_LABELS = {
    "code": "mã đơn vị", "name": "tên đầy đủ", "parent_code": "mã đơn vị cấp trên", "level": "cấp",
    "kind": "loại đơn vị", "header_name": "tên trong tiêu đề văn bản", "superior_name": "cơ quan chủ quản",
    "doc_suffix": "ký hiệu văn bản", "place_name": "địa danh", "address": "địa chỉ",
    "doc_family": "thể thức văn bản",
}
TREE_HELP = {
    "code": "Mã duy nhất của đơn vị (bắt buộc). Nhập lại cùng mã thì cập nhật, không tạo trùng.",
    "name": "Tên đầy đủ (bắt buộc).",
    "parent_code": "Mã đơn vị cấp trên trên tuyến báo cáo; để trống nếu là gốc của cây.",
    "level": "Cấp (bắt buộc), ghi tên cấp hoặc mã: {levels}.",
    "kind": "Loại đơn vị (bắt buộc), ghi tên loại hoặc mã: {kinds}.",
    "header_name": "Tên in trên tiêu đề văn bản, ví dụ: SỞ KHOA HỌC VÀ CÔNG NGHỆ.",
    "superior_name": "Cơ quan chủ quản in trên tiêu đề, ví dụ: UBND TỈNH QUẢNG NGÃI.",
    "doc_suffix": "Ký hiệu văn bản, ví dụ: SKHCN-VP.",
    "place_name": "Địa danh ghi ngày tháng, ví dụ: Quảng Ngãi.",
    "address": "Địa chỉ.",
    "doc_family": "Văn bản hành chính nhà nước (state) hoặc Văn bản của Đảng (party); để trống là văn bản hành "
                  "chính nhà nước.",
}
PEOPLE_COLUMNS = ["username", "full_name", "email", "unit_code", "role", "title"]
PEOPLE_REQUIRED = ["username", "full_name", "email", "unit_code", "role"]
PEOPLE_LABELS = {
    "username": "tên đăng nhập", "full_name": "họ và tên", "email": "thư điện tử", "unit_code": "mã đơn vị",
    "role": "vai trò", "title": "chức danh",
}
PEOPLE_HELP = {
    "username": "Tên đăng nhập (bắt buộc, không dấu cách).",
    "full_name": "Họ và tên (bắt buộc).",
    "email": "Thư điện tử (bắt buộc): nhận liên kết đặt mật khẩu. Không ghi mật khẩu vào tệp.",
    "unit_code": "Mã đơn vị đã có trong hệ thống (bắt buộc).",
    "role": "Vai trò (bắt buộc), ghi tên vai trò hoặc mã: {roles}.",
    "title": "Chức danh.",
}


# Other ways offices (and the README) write a column's name.
def headers(columns: list[str], labels: dict[str, str]) -> list[str]:
    """The first row of a template or an export: each column as a person reads it ("Mã đơn vị"); the import
    takes these, the lower-case labels and the internal names alike (issue 16 §8)."""
    return [labels[c][:1].upper() + labels[c][1:] for c in columns]


HEADER_ALIASES = {
    "họ tên": "full_name", "email": "email", "e-mail": "email", "tên đơn vị": "name", "mã cấp trên": "parent_code",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).replace("_", " ").split())


def _header_map(table: Table, columns: list[str], required: list[str], labels: dict[str, str]
                ) -> tuple[dict[str, int], list[str]]:
    aliases = ({_fold(c): c for c in columns} | {_fold(v): k for k, v in labels.items()}
               | {_fold(a): k for a, k in HEADER_ALIASES.items() if k in columns})
    found: dict[str, int] = {}
    errors: list[str] = []
    for i, h in enumerate(table.headers):
        if not h:
            continue
        key = aliases.get(_fold(h))
        if key is None:
            errors.append(f"Cột «{h}» không nhận ra.")
        elif key in found:
            errors.append(f"Cột «{h}» xuất hiện hai lần.")
        else:
            found[key] = i
    missing = [c for c in required if c not in found]
    if missing:
        errors.append("Thiếu cột: " + ", ".join(headers(missing, labels)) + ".")
    if errors:
        errors.append("Các cột đúng (dòng đầu của tệp): " + ", ".join(headers(columns, labels))
                      + ". Hãy tải tệp mẫu và điền theo mẫu.")
    return found, errors


def _values(cells: list[str], found: dict[str, int], columns: list[str]) -> dict[str, str]:
    return {c: (cells[found[c]] if c in found and found[c] < len(cells) else "") for c in columns}


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i: i + size]


# ---------------------------------------------------------------- preview results


@dataclass
class Row:
    line: int
    values: dict[str, str]
    action: str = ""  # create | update | unchanged | add-membership
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "") if not self.errors else "Lỗi"


ACTION_LABELS = {"create": "Tạo mới", "update": "Cập nhật", "unchanged": "Không đổi",
                 "add-membership": "Thêm vai trò"}


@dataclass
class Preview:
    kind: str
    filename: str
    fmt: str = ""
    encoding: str = ""
    file_errors: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def changes(self) -> int:
        return sum(1 for r in self.rows if r.action in ("create", "update", "add-membership") and not r.errors)

    def summary(self) -> dict:
        return {
            "kind": self.kind, "file": self.filename, "format": self.fmt, "encoding": self.encoding,
            "ok": self.ok, "rows": len(self.rows), "create": self.count("create"),
            "update": self.count("update"), "unchanged": self.count("unchanged"),
            "add_membership": self.count("add-membership"), "errors": len(self.error_rows),
            "file_errors": self.file_errors,
            "row_errors": [{"line": r.line, "errors": r.errors} for r in self.error_rows[:1000]],
        }

    @property
    def message(self) -> str:
        if self.file_errors:
            return "Tệp không nhập được: " + " ".join(self.file_errors)
        if not self.ok:
            return (f"Có {len(self.error_rows)} dòng lỗi trong {len(self.rows)} dòng; chưa lưu gì. "
                    "Hãy sửa tệp rồi tải lên lại.")
        if not self.changes:
            return f"Tệp không thay đổi gì: cả {len(self.rows)} dòng đã có và giống hệt trong hệ thống."
        parts = [f"{self.count('create')} tạo mới", f"{self.count('update')} cập nhật",
                 f"{self.count('unchanged')} không đổi"]
        if self.kind == ImportKind.PEOPLE:
            parts.insert(2, f"{self.count('add-membership')} thêm vai trò cho tài khoản đã có")
        return "Tệp hợp lệ: " + ", ".join(parts) + "."


def _open(kind: str, data: bytes, filename: str, columns, required, labels) -> tuple[Preview, dict[str, int]]:
    preview = Preview(kind=kind, filename=filename)
    try:
        table = read_table(data, filename)
    except TableError as exc:
        preview.file_errors.append(str(exc))
        return preview, {}
    preview.fmt, preview.encoding = table.fmt, table.encoding
    found, errors = _header_map(table, columns, required, labels)
    if errors:
        preview.file_errors.extend(errors)
        return preview, {}
    if not table.rows:
        preview.file_errors.append("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    preview.rows = [Row(line, _values(cells, found, columns)) for line, cells in table.rows]
    return preview, found


# ---------------------------------------------------------------- tree: preview

FAMILY_ALIASES = {"state": DocFamily.STATE, "nha nuoc": DocFamily.STATE, "hanh chinh": DocFamily.STATE,
                  "party": DocFamily.PARTY, "dang": DocFamily.PARTY, "": DocFamily.STATE,
                  # the labels the pages show
                  **{_fold(str(label)): value for value, label in DocFamily.choices}}
DOC_FIELDS = ["name", "header_name", "superior_name", "doc_suffix", "place_name", "address", "doc_family"]
MAX_LEN = {"code": 64, "name": 255, "header_name": 255, "superior_name": 255, "doc_suffix": 40,
           "place_name": 100, "address": 255}


@dataclass
class _Existing:
    pk: int
    path: str
    depth: int
    level_id: int
    kind_id: int
    parent_code: str
    fields: dict[str, str]


def _existing_units(codes: list[str]) -> dict[str, _Existing]:
    rows: dict[str, dict] = {}
    for chunk in _chunks(codes):
        for r in OrgUnit.objects.filter(code__in=chunk).values(
                "pk", "code", "path", "depth", "level_id", "kind_id", *DOC_FIELDS[1:], "name"):
            rows[r["code"]] = r
    step = OrgUnit.steplen
    parent_paths = sorted({r["path"][:-step] for r in rows.values() if r["depth"] > 1})
    parent_code: dict[str, str] = {}
    for chunk in _chunks(parent_paths):
        parent_code.update(OrgUnit.objects.filter(path__in=chunk).values_list("path", "code"))
    return {
        code: _Existing(r["pk"], r["path"], r["depth"], r["level_id"], r["kind_id"],
                        parent_code.get(r["path"][:-step], "") if r["depth"] > 1 else "",
                        {f: r[f] for f in DOC_FIELDS})
        for code, r in rows.items()
    }


def _kept_children(existing: dict[str, _Existing], by_code: dict) -> dict[str, list[tuple[str, int]]]:
    """For each of these existing units: the (name, level id) of its direct children in the system that the file
    does not list (those it lists are checked against their parent's row)."""
    step = OrgUnit.steplen
    by_path = {e.path: code for code, e in existing.items()}
    out: dict[str, list[tuple[str, int]]] = {}
    for chunk in _chunks(sorted(by_path)):
        q = Q(pk__in=[])
        for p in chunk:
            q |= Q(path__startswith=p, depth=len(p) // step + 1)
        for path, code, name, level_id in OrgUnit.objects.filter(q).values_list("path", "code", "name", "level_id"):
            if code not in by_code:
                out.setdefault(by_path[path[:-step]], []).append((name, level_id))
    return out


def preview_tree(data: bytes, filename: str, *, by: Actor) -> Preview:
    preview, found = _open(ImportKind.TREE, data, filename, TREE_COLUMNS, TREE_REQUIRED, TREE_LABELS)
    if preview.file_errors:
        return preview
    levels = {lv.code: lv for lv in Level.objects.all()}
    levels_by_id = {lv.pk: lv for lv in levels.values()}
    kinds = {k.code: k for k in UnitKind.objects.all()}
    # A level or kind by its code or by the name the pages show ("Cấp tỉnh", "Sở, ban, ngành tỉnh").
    level_names = {_fold(lv.name): code for code, lv in levels.items()} | {_fold(c): c for c in levels}
    kind_names = {_fold(k.name): code for code, k in kinds.items()} | {_fold(c): c for c in kinds}
    rows = preview.rows
    for row in rows:
        v = row.values
        v["level"] = v["level"] if v["level"] in levels else level_names.get(_fold(v["level"]), v["level"])
        v["kind"] = v["kind"] if v["kind"] in kinds else kind_names.get(_fold(v["kind"]), v["kind"])
    first_line: dict[str, int] = {}
    for row in rows:
        v = row.values
        code = v["code"]
        if not code:
            row.errors.append("Thiếu mã đơn vị.")
        elif (bad := codes.code_error(code)) is not None:
            row.errors.append(bad)
        elif code in first_line:
            row.errors.append(f"Mã đơn vị «{code}» trùng với dòng {first_line[code]}.")
        else:
            first_line[code] = row.line
        if v["parent_code"] and (bad := codes.code_error(v["parent_code"], "Mã đơn vị cấp trên")) is not None:
            row.errors.append(bad)
        if not v["name"]:
            row.errors.append("Thiếu tên đơn vị.")
        for col, limit in MAX_LEN.items():
            if len(v[col]) > limit:
                row.errors.append(f"«{TREE_LABELS[col]}» dài quá {limit} ký tự.")
        if v["level"] not in levels:
            row.errors.append(f"Cấp «{v['level']}» không có; các cấp: "
                              f"{', '.join(f'{lv.name} ({c})' for c, lv in levels.items())}." if v["level"]
                              else "Thiếu cấp.")
        if v["kind"] not in kinds:
            row.errors.append(f"Loại «{v['kind']}» không có; các loại: "
                              f"{', '.join(f'{k.name} ({c})' for c, k in kinds.items())}." if v["kind"]
                              else "Thiếu loại đơn vị.")
        family = FAMILY_ALIASES.get(_fold(v["doc_family"]))
        if family is None:
            row.errors.append(f"Thể thức «{v['doc_family']}» không hợp lệ; ghi "
                              f"«{DocFamily.STATE.label}» hoặc «{DocFamily.PARTY.label}» (hoặc state, party).")
        else:
            v["doc_family"] = str(family)
    by_code = {r.values["code"]: r for r in rows if r.values["code"] and first_line.get(r.values["code"]) == r.line}
    wanted = sorted(set(by_code) | {r.values["parent_code"] for r in rows if r.values["parent_code"]})
    existing = _existing_units(wanted)
    paths = admin_paths(by)

    def manages(path: str) -> bool:
        return any(path.startswith(p) for p in paths)

    # Cycles among the new rows (existing units keep their parent, see below).
    state: dict[str, str] = {}
    for code in by_code:
        if code in existing or code in state:
            continue
        chain: list[str] = []
        cur = code
        while cur in by_code and cur not in existing and cur not in state:
            state[cur] = "visiting"
            chain.append(cur)
            cur = by_code[cur].values["parent_code"]
        if state.get(cur) == "visiting":
            loop = chain[chain.index(cur):] + [cur]
            for c in chain[chain.index(cur):]:
                by_code[c].errors.append("Vòng lặp cấp trên: " + " → ".join(loop) + ".")
        for c in chain:
            state[c] = "done"

    # Units already in the system under a unit whose level the file lowers, which the file does not list: their
    # level stays, so the unit above them may not go below it (`_child_level_error`).
    lowered = [c for c, r in by_code.items() if c in existing and r.values["level"] in levels
               and levels[r.values["level"]].rank > levels_by_id[existing[c].level_id].rank]
    kept_children = _kept_children({c: existing[c] for c in lowered}, by_code)

    for row in rows:
        v = row.values
        code, parent = v["code"], v["parent_code"]
        if not code or not codes.is_valid(code):
            continue
        if parent == code:
            row.errors.append("Đơn vị không thể là cấp trên của chính nó (vòng lặp).")
            continue
        old = existing.get(code)
        level = levels.get(v["level"])
        # The parent's level: from the file when the parent is in it, else from the system.
        parent_level = None
        if parent:
            if parent in by_code:
                parent_level = levels.get(by_code[parent].values["level"])
            elif parent in existing:
                parent_level = levels_by_id.get(existing[parent].level_id)
            else:
                row.errors.append(f"Không có đơn vị cấp trên mã «{parent}» (không có trong tệp và trong hệ thống).")
        if level and parent_level and level.rank < parent_level.rank:
            row.errors.append(f"Cấp «{level.name}» cao hơn cấp của đơn vị cấp trên «{parent_level.name}».")
        if level and old is not None:
            higher = [(lv.rank, name, lv) for name, lv_id in kept_children.get(code, [])
                      if (lv := levels_by_id[lv_id]).rank < level.rank]
            if higher:
                _, name, lv = min(higher, key=lambda t: (t[0], t[1]))
                row.errors.append(_child_level_error(level, name, lv))
        if old is not None:
            if old.parent_code != parent:
                row.errors.append(
                    f"Đơn vị «{code}» đang thuộc «{old.parent_code or 'gốc cây'}»; muốn đổi cấp trên hãy dùng "
                    "chức năng Sắp xếp đơn vị (để giữ lịch sử).")
            if not manages(old.path):
                row.errors.append(f"Bạn không có quyền quản trị đơn vị «{code}».")
            if not row.errors and level and v["kind"] in kinds:
                changes = [TREE_LABELS[f] for f in DOC_FIELDS if old.fields[f] != v[f]]
                if old.level_id != level.pk:
                    changes.append(TREE_LABELS["level"])
                if old.kind_id != kinds[v["kind"]].pk:
                    changes.append(TREE_LABELS["kind"])
                row.action, row.changes = ("update", changes) if changes else ("unchanged", [])
        else:
            if not parent and "" not in paths:
                row.errors.append("Chỉ quản trị hệ thống mới tạo được đơn vị gốc (không có cấp trên).")
            elif parent in existing and parent not in by_code and not manages(existing[parent].path):
                row.errors.append(f"Bạn không có quyền quản trị đơn vị cấp trên «{parent}».")
            row.action = "create"
    return preview


# ---------------------------------------------------------------- tree: apply


def _step(n: int) -> str:
    alphabet, steplen = OrgUnit.alphabet, OrgUnit.steplen
    digits = ""
    while n:
        n, r = divmod(n, len(alphabet))
        digits = alphabet[r] + digits
    if len(digits) > steplen:
        raise ValidationError("Quá nhiều đơn vị trực thuộc một đơn vị.")
    return digits.rjust(steplen, alphabet[0])


def _last_index(parent_path: str, depth: int) -> int:
    last = (OrgUnit.objects.filter(path__startswith=parent_path, depth=depth)
            .order_by("-path").values_list("path", flat=True).first())
    return int(last[-OrgUnit.steplen:], 36) if last else 0


@dataclass
class Applied:
    preview: Preview
    run: ImportRun | None
    created: int = 0
    updated: int = 0
    invited: int = 0

    def to_dict(self) -> dict:
        return {**self.preview.summary(), "applied": True, "created": self.created, "updated": self.updated,
                "invited": self.invited, "run": self.run.pk if self.run else None,
                "message": self.message}

    @property
    def message(self) -> str:
        if not self.preview.changes:
            return self.preview.message + " Không có gì được ghi."
        return self.preview.message.replace("Tệp hợp lệ", "Đã lưu")


def _refuse(preview: Preview) -> ValidationError:
    msgs = list(preview.file_errors) or [preview.message]
    msgs += [f"Dòng {r.line}: {' '.join(r.errors)}" for r in preview.error_rows[:20]]
    return ValidationError(msgs, code="invalid")


def start_import(*, by: Actor, kind: str, data: bytes, filename: str, under: OrgUnit | None = None) -> ImportRun:
    if not can_onboard(by):
        raise PermissionDenied("Chỉ Ban Dân vận hoặc quản trị viên mới nhập được danh sách.")
    try:  # size and the Office guard before the bytes are kept (issue 21 §7)
        check_file(data, filename)
    except TableError as exc:
        raise ValidationError(str(exc), code="invalid") from exc
    return ImportRun.objects.create(kind=kind, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                                    content=data, under=under, created_by=permissions.author(by))


ALREADY_APPLIED = "Tệp này đã được áp dụng; không áp dụng lại."
RACED = "Danh sách vừa được thay đổi bởi một lần nhập khác cùng lúc; không có gì được ghi, hãy tải tệp lên lại để xem trước."


def _one_at_a_time(kind: str, run: ImportRun | None) -> None:
    """Inside the apply's transaction: one apply of a kind at a time (PostgreSQL: a transaction-scoped advisory lock;
    SQLite's IMMEDIATE transactions already write one at a time), and a run applied meanwhile — the same page posted
    twice — is refused instead of written twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"danvan.onboarding.{kind}"])
    if run is not None and run.pk:
        fresh = ImportRun.objects.select_for_update().only("applied_at").get(pk=run.pk)
        if fresh.applied_at:
            raise ValidationError(ALREADY_APPLIED, code="already_applied")


def apply_tree(data: bytes, filename: str, *, by: Actor, run: ImportRun | None = None) -> Applied:
    try:
        return _apply_tree(data, filename, by=by, run=run)
    except IntegrityError:  # another writer took a code or a path in between
        raise ValidationError(RACED, code="raced") from None


def _apply_tree(data: bytes, filename: str, *, by: Actor, run: ImportRun | None = None) -> Applied:
    with transaction.atomic():
        _one_at_a_time(ImportKind.TREE, run)
        preview = preview_tree(data, filename, by=by)
        if not preview.ok:
            raise _refuse(preview)
        result = Applied(preview, run)
        _write_tree(preview)
        result.created, result.updated = preview.count("create"), preview.count("update")
        _close_run(run, data, filename, by, ImportKind.TREE, result)
    return result


def _close_run(run, data, filename, by: Actor, kind, result: Applied) -> None:
    if run is None:
        run = ImportRun(kind=kind, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                        content=b"", created_by=permissions.author(by))
    run.applied_at = timezone.now()
    run.summary = {k: v for k, v in result.to_dict().items() if k not in ("row_errors", "run")}
    run.save()
    result.run = run


def _write_tree(preview: Preview) -> None:
    levels = {lv.code: lv.pk for lv in Level.objects.all()}
    kinds = {k.code: k.pk for k in UnitKind.objects.all()}
    updates = [r for r in preview.rows if r.action == "update"]
    creates = [r for r in preview.rows if r.action == "create"]
    if updates:
        existing = {}
        for chunk in _chunks([r.values["code"] for r in updates]):
            existing.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk)})
        objs, relevelled = [], []
        for r in updates:
            u = existing[r.values["code"]]
            for f in DOC_FIELDS:
                setattr(u, f, r.values[f])
            if u.level_id != levels[r.values["level"]]:
                relevelled.append(u)
            u.level_id, u.kind_id = levels[r.values["level"]], kinds[r.values["kind"]]
            objs.append(u)
        OrgUnit.objects.bulk_update(objs, [*DOC_FIELDS, "level", "kind"], batch_size=1000)
        tally.refresh_units(relevelled)
    if not creates:
        return
    new_codes = {r.values["code"] for r in creates}
    db_parents = sorted({r.values["parent_code"] for r in creates
                         if r.values["parent_code"] and r.values["parent_code"] not in new_codes})
    parents: dict[str, tuple[str, int]] = {}
    for chunk in _chunks(db_parents):
        parents.update({c: (p, d) for c, p, d in OrgUnit.objects.filter(code__in=chunk)
                        .values_list("code", "path", "depth")})
    next_index: dict[str, int] = {}
    added_to_db_parent: dict[str, int] = {}
    pending = {r.values["code"]: r for r in creates}
    new_objs: dict[str, OrgUnit] = {}
    order: list[str] = []
    # Parents before children: repeatedly place rows whose parent already has a path.
    roots_last = _last_index("", 1)
    while pending:
        placed = []
        for code, r in pending.items():
            parent = r.values["parent_code"]
            if not parent:
                roots_last += 1
                path, depth = _step(roots_last), 1
            elif parent in new_objs:
                p = new_objs[parent]
                next_index[p.path] = next_index.get(p.path, 0) + 1
                path, depth = p.path + _step(next_index[p.path]), p.depth + 1
                p.numchild += 1
            elif parent in parents:
                ppath, pdepth = parents[parent]
                if ppath not in next_index:
                    next_index[ppath] = _last_index(ppath, pdepth + 1)
                next_index[ppath] += 1
                added_to_db_parent[parent] = added_to_db_parent.get(parent, 0) + 1
                path, depth = ppath + _step(next_index[ppath]), pdepth + 1
            else:
                continue
            v = r.values
            new_objs[code] = OrgUnit(path=path, depth=depth, numchild=0, code=code,
                                 level_id=levels[v["level"]], kind_id=kinds[v["kind"]],
                                 **{f: v[f] for f in DOC_FIELDS})
            order.append(code)
            placed.append(code)
        if not placed:  # cannot happen after the preview's cycle check
            raise ValidationError("Vòng lặp cấp trên trong tệp.")
        for code in placed:
            del pending[code]
    OrgUnit.objects.bulk_create([new_objs[c] for c in order], batch_size=2000)
    for code, n in added_to_db_parent.items():
        OrgUnit.objects.filter(code=code).update(numchild=F("numchild") + n)


# ---------------------------------------------------------------- tree: export and template


def export_rows(unit: OrgUnit) -> list[list[str]]:
    parent = OrgUnit.objects.get_parent(unit)
    codes = {unit.path[:-OrgUnit.steplen]: parent.code if parent else ""}
    rows = []
    qs = (OrgUnit.objects.filter(path__startswith=unit.path).order_by("path")
          .values_list("path", "code", "level__code", "kind__code", *DOC_FIELDS))
    for path, code, level, kind, *doc in qs.iterator(chunk_size=5000):
        codes[path] = code
        values = dict(zip(DOC_FIELDS, doc, strict=True))
        values.update(code=code, parent_code=codes.get(path[:-OrgUnit.steplen], ""), level=level, kind=kind)
        rows.append([values[c] for c in TREE_COLUMNS])
    return rows


def tree_notes() -> list[tuple[str, str]]:
    levels = ", ".join(f"{lv.name} ({lv.code})" for lv in Level.objects.order_by("rank"))
    kinds = ", ".join(f"{k.name} ({k.code})" for k in UnitKind.objects.all())
    return [(h, TREE_HELP[c].format(levels=levels, kinds=kinds))
            for c, h in zip(TREE_COLUMNS, headers(TREE_COLUMNS, TREE_LABELS), strict=True)]


def people_notes() -> list[tuple[str, str]]:
    roles = ", ".join(f"{label} ({v})" for v, label in Role.choices)
    return [(h, PEOPLE_HELP[c].format(roles=roles))
            for c, h in zip(PEOPLE_COLUMNS, headers(PEOPLE_COLUMNS, PEOPLE_LABELS), strict=True)]


def export_tree(unit: OrgUnit, fmt: str) -> bytes:
    rows = export_rows(unit)
    head = headers(TREE_COLUMNS, TREE_LABELS)
    if fmt == "csv":
        return write_csv(head, rows)
    return write_xlsx(head, rows, title="Đơn vị", notes=tree_notes())


def template(kind: str, fmt: str) -> bytes:
    columns, notes = (TREE_COLUMNS, tree_notes()) if kind == ImportKind.TREE else (PEOPLE_COLUMNS, people_notes())
    columns = headers(columns, TREE_LABELS if kind == ImportKind.TREE else PEOPLE_LABELS)
    if fmt == "csv":
        return write_csv(columns, [])
    return write_xlsx(columns, [], title="Đơn vị" if kind == ImportKind.TREE else "Người dùng", notes=notes)


# ---------------------------------------------------------------- people


_ROLE_NAMES: dict[str, str] = {}


def _role(value: str) -> str | None:
    """A role by its code or its Vietnamese name, with or without accents."""
    if not _ROLE_NAMES:
        for v, label in Role.choices:
            _ROLE_NAMES[_fold(v)] = _ROLE_NAMES[_fold(str(label))] = v
    return _ROLE_NAMES.get(value) or _ROLE_NAMES.get(_fold(value))


def preview_people(data: bytes, filename: str, *, by: Actor) -> Preview:
    preview, _ = _open(ImportKind.PEOPLE, data, filename, PEOPLE_COLUMNS, PEOPLE_REQUIRED, PEOPLE_LABELS)
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
    for chunk in _chunks(unit_codes):
        units.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk).only("pk", "code", "path", "name",
                                                                                      "valid_to")})
    # Usernames are one name whatever their case: "VP.SKHCN" is the existing "vp.skhcn".
    names = sorted({r.values["username"].lower() for r in rows if r.values["username"]})
    emails = sorted({r.values["email"] for r in rows if r.values["email"]})
    by_name: dict[str, tuple[int, str, str]] = {}
    folded_names = User.objects.annotate(username_folded=Lower("username"))
    for chunk in _chunks(names):
        for pk, un, em in folded_names.filter(username_folded__in=chunk).values_list("pk", "username", "email"):
            by_name[un.lower()] = (pk, un, (em or "").lower())
    email_owner: dict[str, str] = {}
    by_email = User.objects.exclude(email="").annotate(email_folded=Lower("email"))
    if len(emails) > 2000:  # one scan of the accounts beats thousands of case-insensitive lookups
        wanted = set(emails)
        email_owner = {e: u for e, u in by_email.values_list("email_folded", "username") if e in wanted}
    else:
        for chunk in _chunks(emails):
            email_owner.update(by_email.filter(email_folded__in=chunk).values_list("email_folded", "username"))
    # Existing memberships of the existing users, to tell "unchanged" from "add a role".
    have: set[tuple[int, int, str]] = set()
    user_pks = [t[0] for t in by_name.values()]
    for chunk in _chunks(user_pks):
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


def _unusable_password() -> str:
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
        _one_at_a_time(ImportKind.PEOPLE, run)
        preview = preview_people(data, filename, by=by)
        if not preview.ok:
            raise _refuse(preview)
        result = Applied(preview, run)
        creates = [r for r in preview.rows if r.action == "create"]
        adds = [r for r in preview.rows if r.action == "add-membership"]
        users = [User(username=r.values["username"], first_name=r.values["full_name"], last_name="",
                      email=r.values["email"], is_active=False, password=_unusable_password())
                 for r in creates]
        User.objects.bulk_create(users, batch_size=2000)
        todo = creates + adds
        names = [r.values["username"] for r in todo]
        user_ids: dict[str, int] = {}
        for chunk in _chunks(names):
            user_ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        codes = sorted({r.values["unit_code"] for r in todo})
        unit_ids: dict[str, int] = {}
        for chunk in _chunks(codes):
            unit_ids.update(OrgUnit.objects.filter(code__in=chunk).values_list("code", "pk"))
        memberships = [Membership(user_id=user_ids[r.values["username"]], unit_id=unit_ids[r.values["unit_code"]],
                                  role=r.values["role"], title=r.values["title"][:150]) for r in todo]
        bulk_create_with_history(memberships, Membership, batch_size=2000, default_user=by,
                                 default_change_reason="Nhập danh sách người dùng")
        result.created, result.updated = len(creates), len(adds)
        new_ids = [user_ids[r.values["username"]] for r in creates]
        if send_invites and new_ids:
            result.invited = accounts.queue_invites(new_ids)
        _close_run(run, data, filename, by, ImportKind.PEOPLE, result)
    return result


def send_invite(user: User) -> int:
    """The only way a new account gets a password: a one-time link that expires. No password in the mail.
    1 when the mail server took it; its fate is recorded either way (`accounts.send_link`)."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    units = ", ".join(f"{m.get_role_display()} — {m.unit.name}"
                      for m in Membership.objects.filter(user=user).select_related("unit"))
    body = (
        f"Kính gửi {user.get_full_name() or user.username},\n\n"
        f"Tài khoản của đồng chí trên hệ thống quản lý phong trào thi đua “Dân vận khéo” đã được tạo.\n"
        f"Tên đăng nhập: {user.username}\n"
        + (f"Vai trò: {units}\n" if units else "")
        + f"\nĐể kích hoạt tài khoản, đồng chí hãy mở liên kết sau và tự đặt mật khẩu "
        f"(liên kết chỉ dùng được một lần, hết hạn sau {days} ngày):\n{accounts.link_for(user)}\n\n"
        "Hệ thống không bao giờ gửi mật khẩu qua thư. Nếu đồng chí không chờ thư này, hãy bỏ qua.\n"
    )
    return int(accounts.send_link(user, accounts.INVITE, "[Dân vận khéo] Kích hoạt tài khoản", body))


# ---------------------------------------------------------------- delegated administration


def _check_unit_admin(by: Actor, unit: OrgUnit) -> None:
    if not can_manage_unit(by, unit):
        raise PermissionDenied(f"Bạn không có quyền quản trị đơn vị «{unit.name}».")


def grant_role(*, by: Actor, unit: OrgUnit, user: User, role: str, title: str = "") -> Membership:
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
    _check_unit_admin(by, parent)
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


def _child_level_error(level: Level, child_name: str, child_level: Level) -> str:
    return (f"Cấp «{level.name}» thấp hơn cấp của đơn vị trực thuộc «{child_name}» ({child_level.name}): cấp của "
            "một đơn vị không thể thấp hơn cấp của các đơn vị trực thuộc.")


def update_unit(*, by: Actor, unit: OrgUnit, **values) -> OrgUnit:
    _check_unit_admin(by, unit)
    parent = OrgUnit.objects.get_parent(unit)
    level = values.get("level", unit.level)
    if parent is not None and level.rank < parent.level.rank:
        raise ValidationError(f"Cấp «{level.name}» cao hơn cấp của đơn vị cấp trên «{parent.level.name}».")
    if level.pk != unit.level_id and unit.numchild and (child := _below_level(unit, level)) is not None:
        raise ValidationError(_child_level_error(level, child.name, child.level))
    if "code" in values and values["code"] != unit.code:  # a rename, e.g. repairing a code made before the rule
        _check_code(values["code"], unit)
    changes = {}
    for k, v in values.items():
        if k in UNIT_EDIT_FIELDS and getattr(unit, k) != v:
            changes[k] = [str(getattr(unit, k)), str(v)]
            setattr(unit, k, v)
    if changes:
        with transaction.atomic():
            unit.save()
            UnitChange.objects.create(unit=unit, action="update", changes=changes, created_by=permissions.author(by))
            if "level" in changes:  # the country's and the province's counts by level
                tally.refresh_units([unit])
    return unit


# ---------------------------------------------------------------- restructuring


def _active(unit: OrgUnit, on: date) -> bool:
    return unit.valid_to is None or unit.valid_to > on


def _active_children(unit: OrgUnit, on: date) -> int:
    return OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)).count()


def _refuse_ended(unit: OrgUnit, on: date, as_what: str) -> None:
    """A merged, split or retired unit is never a target of a restructuring (issue 16 §8)."""
    if not _active(unit, on):
        raise ValidationError(f"«{unit.name}» đã hợp nhất, chia tách hoặc kết thúc hoạt động từ "
                              f"{unit.valid_to:%d/%m/%Y}: không chọn làm {as_what} được.")


def move_unit(*, by: Actor, unit: OrgUnit, new_parent: OrgUnit, on: date, note: str = "") -> UnitSuccession:
    """Move a subtree under another parent; its exemplars and submissions stay with their units."""
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        new_parent = OrgUnit.objects.get(pk=new_parent.pk)
        old_parent = OrgUnit.objects.get_parent(unit)
        _check_unit_admin(by, unit)
        _check_unit_admin(by, new_parent)
        _refuse_ended(new_parent, on, "đơn vị cấp trên mới")
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
            _check_unit_admin(by, u)
            if not _active(u, on):
                raise ValidationError(f"«{u.name}» đã hết hiệu lực từ {u.valid_to:%d/%m/%Y}.")
        if into is not None:
            _refuse_ended(into, on, "đơn vị kế thừa")
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
            _check_unit_admin(by, into)
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
    _check_unit_admin(by, unit)
    if len(into) < 2:
        raise ValidationError("Chia tách cần ít nhất hai đơn vị kế thừa.")
    if not _active(unit, on):
        raise ValidationError(f"«{unit.name}» đã hết hiệu lực.")
    for s in into:
        _check_unit_admin(by, s)
        _refuse_ended(s, on, "đơn vị kế thừa")
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
    _check_unit_admin(by, unit)
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


def expire_runs(*, before) -> int:
    """Delete the tree and people files uploaded before ``before`` and never applied (their bytes with them)."""
    deleted, _ = ImportRun.objects.filter(applied_at__isnull=True, created_at__lt=before).delete()
    return deleted
