"""The tree import: preview and apply a file of units, export a subtree in the same columns.

Nothing recurses in Python over the tree: new nodes get their materialized paths from treebeard's own path
functions and are bulk-inserted; subtrees are path prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from treebeard.exceptions import PathOverflow

from danvan.orgs import codes, permissions
from danvan.orgs.models import DocFamily, Level, OrgUnit, UnitKind
from danvan.orgs.permissions import Actor, admin_paths
from danvan.reports import tally

from .administration import child_level_error
from .importing import (
    DOC_FIELDS,
    RACED,
    TREE_COLUMNS,
    TREE_LABELS,
    TREE_REQUIRED,
    Applied,
    Preview,
    chunks,
    close_run,
    fold_header,
    headers,
    one_at_a_time,
    open_table,
    refusal,
    tree_notes,
)
from .models import ImportKind, ImportRun
from .tables import write_csv, write_xlsx

FAMILY_ALIASES = {"state": DocFamily.STATE, "nha nuoc": DocFamily.STATE, "hanh chinh": DocFamily.STATE,
                  "party": DocFamily.PARTY, "dang": DocFamily.PARTY, "": DocFamily.STATE,
                  # the labels the pages show
                  **{fold_header(str(label)): value for value, label in DocFamily.choices}}
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
    for chunk in chunks(codes):
        for r in OrgUnit.objects.filter(code__in=chunk).values(
                "pk", "code", "path", "depth", "level_id", "kind_id", *DOC_FIELDS[1:], "name"):
            rows[r["code"]] = r
    parent_of = OrgUnit._get_parent_path_from_path
    parent_paths = sorted({parent_of(r["path"]) for r in rows.values() if r["depth"] > 1})
    parent_code: dict[str, str] = {}
    for chunk in chunks(parent_paths):
        parent_code.update(OrgUnit.objects.filter(path__in=chunk).values_list("path", "code"))
    return {
        code: _Existing(r["pk"], r["path"], r["depth"], r["level_id"], r["kind_id"],
                        parent_code.get(parent_of(r["path"]), "") if r["depth"] > 1 else "",
                        {f: r[f] for f in DOC_FIELDS})
        for code, r in rows.items()
    }


def _kept_children(existing: dict[str, _Existing], by_code: dict) -> dict[str, list[tuple[str, int]]]:
    """For each of these existing units: the (name, level id) of its direct children in the system that the file
    does not list (those it lists are checked against their parent's row)."""
    by_path = {e.path: code for code, e in existing.items()}
    out: dict[str, list[tuple[str, int]]] = {}
    for chunk in chunks(sorted(by_path)):
        q = Q(pk__in=[])
        for p in chunk:
            q |= Q(path__startswith=p, depth=len(p) // OrgUnit.steplen + 1)
        for path, code, name, level_id in OrgUnit.objects.filter(q).values_list("path", "code", "name", "level_id"):
            if code not in by_code:
                out.setdefault(by_path[OrgUnit._get_parent_path_from_path(path)], []).append((name, level_id))
    return out


def preview_tree(data: bytes, filename: str, *, by: Actor) -> Preview:
    preview, found = open_table(ImportKind.TREE, data, filename, TREE_COLUMNS, TREE_REQUIRED, TREE_LABELS)
    if preview.file_errors:
        return preview
    levels = {lv.code: lv for lv in Level.objects.all()}
    levels_by_id = {lv.pk: lv for lv in levels.values()}
    kinds = {k.code: k for k in UnitKind.objects.all()}
    # A level or kind by its code or by the name the pages show ("Cấp tỉnh", "Sở, ban, ngành tỉnh").
    # A name as the pages show it wins over a code it happens to fold to ("Xã" is the kind named Xã, not the code
    # "xa"); a code typed exactly as it is is taken first (below).
    level_names = {fold_header(c): c for c in levels} | {fold_header(lv.name): code for code, lv in levels.items()}
    kind_names = {fold_header(c): c for c in kinds} | {fold_header(k.name): code for code, k in kinds.items()}
    rows = preview.rows
    for row in rows:
        v = row.values
        v["level"] = v["level"] if v["level"] in levels else level_names.get(fold_header(v["level"]), v["level"])
        v["kind"] = v["kind"] if v["kind"] in kinds else kind_names.get(fold_header(v["kind"]), v["kind"])
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
        family = FAMILY_ALIASES.get(fold_header(v["doc_family"]))
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
        return permissions.within(path, paths)

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
                row.errors.append(child_level_error(level, name, lv))
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


def _first_child_path(parent_path: str, depth: int) -> str:
    return OrgUnit._get_path(parent_path, depth, 1)


def _next_path(last_path: str) -> str:
    """The path after `last_path` among its siblings (treebeard's own step)."""
    try:
        return OrgUnit(path=last_path)._inc_path()
    except PathOverflow:
        raise ValidationError("Quá nhiều đơn vị trực thuộc một đơn vị.") from None


def apply_tree(data: bytes, filename: str, *, by: Actor, run: ImportRun | None = None) -> Applied:
    try:
        return _apply_tree(data, filename, by=by, run=run)
    except IntegrityError:  # another writer took a code or a path in between
        raise ValidationError(RACED, code="raced") from None


def _apply_tree(data: bytes, filename: str, *, by: Actor, run: ImportRun | None = None) -> Applied:
    with transaction.atomic():
        one_at_a_time(ImportKind.TREE, run)
        preview = preview_tree(data, filename, by=by)
        if not preview.ok:
            raise refusal(preview)
        result = Applied(preview, run)
        _write_tree(preview)
        result.created, result.updated = preview.count("create"), preview.count("update")
        close_run(run, data, filename, by, ImportKind.TREE, result)
    return result


def _write_tree(preview: Preview) -> None:
    levels = {lv.code: lv.pk for lv in Level.objects.all()}
    kinds = {k.code: k.pk for k in UnitKind.objects.all()}
    updates = [r for r in preview.rows if r.action == "update"]
    creates = [r for r in preview.rows if r.action == "create"]
    if updates:
        existing = {}
        for chunk in chunks([r.values["code"] for r in updates]):
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
    parents: dict[str, OrgUnit] = {}
    for chunk in chunks(db_parents):
        parents.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk)
                        .only("code", "path", "depth", "numchild")})
    last_child: dict[str, str] = {}  # parent path -> the path of its last child so far
    added_to_db_parent: dict[str, int] = {}
    pending = {r.values["code"]: r for r in creates}
    new_objs: dict[str, OrgUnit] = {}
    order: list[str] = []

    def child_path(parent_path: str, depth: int) -> str:
        last = last_child.get(parent_path)
        path = _next_path(last) if last else _first_child_path(parent_path, depth)
        last_child[parent_path] = path
        return path

    # Parents before children: repeatedly place rows whose parent already has a path.
    last_root = OrgUnit.objects.get_last_root_node()
    if last_root is not None:
        last_child[""] = last_root.path
    while pending:
        placed = []
        for code, r in pending.items():
            parent = r.values["parent_code"]
            if not parent:
                path, depth = child_path("", 1), 1
            elif parent in new_objs:
                p = new_objs[parent]
                path, depth = child_path(p.path, p.depth + 1), p.depth + 1
                p.numchild += 1
            elif parent in parents:
                db_parent = parents[parent]
                if db_parent.path not in last_child and (last := OrgUnit.objects.get_last_child(db_parent)):
                    last_child[db_parent.path] = last.path
                added_to_db_parent[parent] = added_to_db_parent.get(parent, 0) + 1
                path, depth = child_path(db_parent.path, db_parent.depth + 1), db_parent.depth + 1
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


def export_rows(unit: OrgUnit) -> list[list[str]]:
    parent = OrgUnit.objects.get_parent(unit)
    parent_of = OrgUnit._get_parent_path_from_path
    codes = {parent_of(unit.path): parent.code if parent else ""}
    rows = []
    qs = (OrgUnit.objects.filter(path__startswith=unit.path).order_by("path")
          .values_list("path", "code", "level__code", "kind__code", *DOC_FIELDS))
    for path, code, level, kind, *doc in qs.iterator(chunk_size=5000):
        codes[path] = code
        values = dict(zip(DOC_FIELDS, doc, strict=True))
        values.update(code=code, parent_code=codes.get(parent_of(path), ""), level=level, kind=kind)
        rows.append([values[c] for c in TREE_COLUMNS])
    return rows


def export_values(unit_codes: list[str]) -> dict[str, dict[str, str]]:
    """The rows these units would have in an exported tree file (those that exist), by code."""
    existing = _existing_units(unit_codes)
    levels = dict(Level.objects.values_list("pk", "code"))
    kinds = dict(UnitKind.objects.values_list("pk", "code"))
    return {code: {**e.fields, "code": code, "parent_code": e.parent_code, "level": levels[e.level_id],
                   "kind": kinds[e.kind_id]} for code, e in existing.items()}


def export_tree(unit: OrgUnit, fmt: str) -> bytes:
    rows = export_rows(unit)
    head = headers(TREE_COLUMNS, TREE_LABELS)
    if fmt == "csv":
        return write_csv(head, rows)
    return write_xlsx(head, rows, title="Đơn vị", notes=tree_notes())
