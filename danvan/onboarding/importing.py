"""What the tree and people imports share: their columns, reading a file's header, the preview and the result,
the `ImportRun` that keeps an uploaded file until it is applied, and one apply of a kind at a time.

Every door (pages, CLI, bench) calls `tree_import.preview_tree`/`apply_tree` or `people_import.preview_people`/
`apply_people`. `apply_*` re-runs the preview inside one transaction and refuses the whole file on any problem,
so nothing is ever half-applied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from danvan.orgs import permissions
from danvan.orgs.models import Level, OrgUnit, Role, UnitKind
from danvan.orgs.permissions import Actor, can_onboard
from danvan.search.text import fold_key

from .models import ImportKind, ImportRun
from .tables import Table, TableError, check_file, read_table, write_csv, write_xlsx

CHUNK = 900  # SQLite's bound on query parameters, with room to spare

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
PLAN_COLUMNS = ["old_code", "old_name", "new_code", "new_name", "share", "takes_over"]
PLAN_REQUIRED = ["old_code", "new_code"]
PLAN_LABELS = {
    "old_code": "mã đơn vị cũ", "old_name": "tên đơn vị cũ", "new_code": "mã đơn vị kế thừa",
    "new_name": "tên đơn vị kế thừa", "share": "phần chia tách", "takes_over": "tiếp nhận",
}
PLAN_HELP = {
    "old_code": "Mã đơn vị được sắp xếp (bắt buộc), đơn vị đã có trong hệ thống.",
    "old_name": "Tên đơn vị cũ, để đối chiếu (không bắt buộc).",
    "new_code": "Mã đơn vị kế thừa, đã có trong hệ thống (nhập cây đơn vị hoặc danh mục quốc gia trước). Một "
                "dòng: hợp nhất, sáp nhập vào đơn vị đó. Nhiều dòng cùng mã đơn vị cũ: chia tách. Để trống: giải "
                "thể, kết thúc hoạt động.",
    "new_name": "Tên đơn vị kế thừa, để đối chiếu (không bắt buộc).",
    "share": "Khi chia tách: phần của đơn vị cũ chuyển về đơn vị kế thừa này, ví dụ: thôn An Hòa, An Lạc (bắt buộc "
             "khi chia tách).",
    "takes_over": "Khi chia tách: ghi X ở dòng của đơn vị kế thừa tiếp nhận các đơn vị trực thuộc, người dùng và "
                  "hồ sơ đang mở của đơn vị cũ (hoặc chọn ở trang xem trước).",
}
DOC_FIELDS = ["name", "header_name", "superior_name", "doc_suffix", "place_name", "address", "doc_family"]


# Other ways offices (and the README) write a column's name.
def headers(columns: list[str], labels: dict[str, str]) -> list[str]:
    """The first row of a template or an export: each column as a person reads it ("Mã đơn vị"); the import
    takes these, the lower-case labels and the internal names alike (issue 16 §8)."""
    return [labels[c][:1].upper() + labels[c][1:] for c in columns]


HEADER_ALIASES = {
    "họ tên": "full_name", "email": "email", "e-mail": "email", "tên đơn vị": "name", "mã cấp trên": "parent_code",
}


def fold_header(text: str) -> str:
    """A header or a value as the imports match it: `fold_key`, with "_" as a space ("parent_code" ~ "parent code")."""
    return fold_key(text.replace("_", " "))


def _header_map(table: Table, columns: list[str], required: list[str], labels: dict[str, str]
                ) -> tuple[dict[str, int], list[str]]:
    aliases = ({fold_header(c): c for c in columns} | {fold_header(v): k for k, v in labels.items()}
               | {fold_header(a): k for a, k in HEADER_ALIASES.items() if k in columns})
    found: dict[str, int] = {}
    errors: list[str] = []
    for i, h in enumerate(table.headers):
        if not h:
            continue
        key = aliases.get(fold_header(h))
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


def chunks(items: list, size: int = CHUNK):
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


def open_table(kind: str, data: bytes, filename: str, columns, required, labels) -> tuple[Preview, dict[str, int]]:
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


def refusal(preview: Preview) -> ValidationError:
    msgs = list(preview.file_errors) or [preview.message]
    msgs += [f"Dòng {r.line}: {' '.join(r.errors)}" for r in preview.error_rows[:20]]
    return ValidationError(msgs, code="invalid")


def start_import(*, by: Actor, kind: str, data: bytes, filename: str, under: OrgUnit | None = None,
                 effective_on=None) -> ImportRun:
    if not can_onboard(by):
        raise PermissionDenied("Chỉ Ban Dân vận hoặc quản trị viên mới nhập được danh sách.")
    try:  # size and the Office guard before the bytes are kept (issue 21 §7)
        check_file(data, filename)
    except TableError as exc:
        raise ValidationError(str(exc), code="invalid") from exc
    return ImportRun.objects.create(kind=kind, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                                    content=data, under=under, effective_on=effective_on,
                                    created_by=permissions.author(by))


ALREADY_APPLIED = "Tệp này đã được áp dụng; không áp dụng lại."
RACED = "Danh sách vừa được thay đổi bởi một lần nhập khác cùng lúc; không có gì được ghi, hãy tải tệp lên lại để xem trước."


def one_at_a_time(kind: str, run: ImportRun | None) -> None:
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


def close_run(run, data, filename, by: Actor, kind, result: Applied) -> None:
    if run is None:
        run = ImportRun(kind=kind, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                        content=b"", created_by=permissions.author(by))
    run.applied_at = timezone.now()
    run.summary = {k: v for k, v in result.to_dict().items() if k not in ("row_errors", "run")}
    run.save()
    result.run = run


def tree_notes() -> list[tuple[str, str]]:
    levels = ", ".join(f"{lv.name} ({lv.code})" for lv in Level.objects.order_by("rank"))
    kinds = ", ".join(f"{k.name} ({k.code})" for k in UnitKind.objects.all())
    return [(h, TREE_HELP[c].format(levels=levels, kinds=kinds))
            for c, h in zip(TREE_COLUMNS, headers(TREE_COLUMNS, TREE_LABELS), strict=True)]


def people_notes() -> list[tuple[str, str]]:
    roles = ", ".join(f"{label} ({v})" for v, label in Role.choices)
    return [(h, PEOPLE_HELP[c].format(roles=roles))
            for c, h in zip(PEOPLE_COLUMNS, headers(PEOPLE_COLUMNS, PEOPLE_LABELS), strict=True)]


def plan_notes() -> list[tuple[str, str]]:
    return [(h, PLAN_HELP[c]) for c, h in zip(PLAN_COLUMNS, headers(PLAN_COLUMNS, PLAN_LABELS), strict=True)]


def template(kind: str, fmt: str) -> bytes:
    columns, labels, notes, title = {
        ImportKind.TREE: (TREE_COLUMNS, TREE_LABELS, tree_notes, "Đơn vị"),
        ImportKind.PEOPLE: (PEOPLE_COLUMNS, PEOPLE_LABELS, people_notes, "Người dùng"),
        ImportKind.PLAN: (PLAN_COLUMNS, PLAN_LABELS, plan_notes, "Kế hoạch sắp xếp"),
    }[ImportKind(kind)]
    if fmt == "csv":
        return write_csv(headers(columns, labels), [])
    return write_xlsx(headers(columns, labels), [], title=title, notes=notes())


def expire_runs(*, before) -> int:
    """Delete the tree and people files uploaded before ``before`` and never applied (their bytes with them)."""
    deleted, _ = ImportRun.objects.filter(applied_at__isnull=True, created_at__lt=before).delete()
    return deleted
