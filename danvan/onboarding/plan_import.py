"""The reorganisation as one planned operation (issue 22 §2): a plan file (old code → successor code, a share note
for a split, a mark for the successor that takes over), previewed as every unit's fate and every conflict, then
applied on one effective date, all or nothing, as one batch of `UnitSuccession`s tied to the kept plan file.

Each step is the restructuring service's own (`merge_units`, `split_unit`, `retire_unit`): the plan only decides
the order (deepest units first, so communes leave a district before the district ends) and checks everything
before the first write. Applying a plan whose steps are all in place already changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from danvan.orgs import permissions
from danvan.orgs import tree as org_tree
from danvan.orgs.models import Membership, OrgUnit
from danvan.orgs.permissions import Actor, admin_paths

from . import restructuring
from .importing import (
    PLAN_COLUMNS,
    PLAN_LABELS,
    PLAN_REQUIRED,
    Applied,
    Preview,
    Row,
    chunks,
    close_run,
    one_at_a_time,
    open_table,
    refusal,
)
from .models import ImportKind, ImportRun, SuccessionKind, UnitSuccession

TAKES_OVER_MARKS = {"x", "có", "co", "1", "✓", "✔", "•"}
MERGE, SPLIT, RETIRE, KEEP, DONE = "merge", "split", "retire", "keep", "done"
FATE_LABELS = {MERGE: "Hợp nhất, sáp nhập vào", SPLIT: "Chia tách thành", RETIRE: "Giải thể, kết thúc hoạt động",
               KEEP: "Giữ nguyên", DONE: "Đã áp dụng trước đây"}


@dataclass
class Fate:
    """What becomes of one old unit."""

    unit: OrgUnit
    kind: str
    lines: list[int]
    successors: list[OrgUnit] = field(default_factory=list)
    shares: dict[int, str] = field(default_factory=dict)  # successor pk → the part it receives
    takes_over: OrgUnit | None = None
    children: int = 0  # working children not themselves in the plan: they move to the successor
    people: int = 0
    submissions: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FATE_LABELS[self.kind]

    @property
    def changes(self) -> bool:
        return self.kind in (MERGE, SPLIT, RETIRE)

    @property
    def needs_choice(self) -> bool:
        return self.kind == SPLIT and bool(self.children or self.people or self.submissions)

    def to_dict(self) -> dict:
        return {"code": self.unit.code, "name": self.unit.name, "fate": self.kind, "label": self.label,
                "lines": self.lines, "successors": [s.code for s in self.successors],
                "takes_over": self.takes_over.code if self.takes_over else None,
                "children": self.children, "people": self.people, "submissions": self.submissions,
                "warnings": self.warnings, "errors": self.errors}


@dataclass
class PlanPreview(Preview):
    on: date | None = None
    fates: list[Fate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return super().ok and not any(f.errors for f in self.fates)

    @property
    def changes(self) -> int:
        return sum(1 for f in self.fates if f.changes)

    def fate_count(self, kind: str) -> int:
        return sum(1 for f in self.fates if f.kind == kind)

    def summary(self) -> dict:
        problems = _as_rows(self).error_rows
        return {**super().summary(), "on": self.on.isoformat() if self.on else None, "errors": len(problems),
                "row_errors": [{"line": r.line, "errors": r.errors} for r in problems[:1000]],
                "merge": self.fate_count(MERGE), "split": self.fate_count(SPLIT), "retire": self.fate_count(RETIRE),
                "keep": self.fate_count(KEEP), "done": self.fate_count(DONE),
                "fates": [f.to_dict() for f in self.fates[:5000]]}

    @property
    def message(self) -> str:
        if self.file_errors:
            return "Tệp không nhập được: " + " ".join(self.file_errors)
        if not self.ok:
            bad = len(self.error_rows) + sum(1 for f in self.fates if f.errors)
            return f"Có {bad} vấn đề trong kế hoạch ({len(self.rows)} dòng); chưa áp dụng gì. Hãy sửa rồi xem lại."
        if not self.changes:
            return (f"Kế hoạch không thay đổi gì: cả {len(self.fates)} đơn vị đã được sắp xếp đúng như kế hoạch "
                    "hoặc giữ nguyên.")
        day = f"{self.on:%d/%m/%Y}" if self.on else ""
        carried = [f"{sum(f.children for f in self.fates)} đơn vị trực thuộc",
                   f"{sum(f.people for f in self.fates if f.kind != RETIRE)} vai trò người dùng",
                   f"{sum(f.submissions for f in self.fates if f.kind != RETIRE)} hồ sơ đang mở"]
        return (f"Kế hoạch hợp lệ, hiệu lực từ {day}: {self.fate_count(MERGE)} hợp nhất, sáp nhập, "
                f"{self.fate_count(SPLIT)} chia tách, {self.fate_count(RETIRE)} giải thể; chuyển sang đơn vị kế "
                f"thừa {', '.join(carried)}.")


def _units(codes: set[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for chunk in chunks(sorted(codes)):
        found.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk).select_related("level")})
    return found


def _marked(text: str) -> bool:
    return text.strip().lower() in TAKES_OVER_MARKS


def preview_plan(data: bytes, filename: str, *, by: Actor, on: date | None,
                 choices: dict[str, str] | None = None) -> PlanPreview:
    """Every old unit's fate and every conflict, without writing anything. `choices` names, per split unit's code,
    the successor that takes over (the preview page's choice, or the CLI's `--takes-over OLD=NEW`)."""
    base, _found = open_table(ImportKind.PLAN, data, filename, PLAN_COLUMNS, PLAN_REQUIRED, PLAN_LABELS)
    p = PlanPreview(kind=base.kind, filename=base.filename, fmt=base.fmt, encoding=base.encoding,
                    file_errors=base.file_errors, rows=base.rows, on=on)
    if on is None:
        p.file_errors.append("Hãy nhập ngày hiệu lực của kế hoạch sắp xếp.")
    elif on > timezone.localdate():
        p.file_errors.append(f"Ngày hiệu lực {on:%d/%m/%Y} chưa tới: chỉ áp dụng kế hoạch đã có hiệu lực.")
    if p.file_errors:
        return p
    assert on is not None
    choices = choices or {}
    for r in p.rows:
        for k in ("old_code", "new_code"):
            r.values[k] = r.values[k].strip()
    codes = {r.values[k] for r in p.rows for k in ("old_code", "new_code") if r.values[k]}
    codes |= {c for c in choices.values() if c}
    units = _units(codes)
    scope = admin_paths(by)

    groups: dict[str, list[Row]] = {}
    for r in p.rows:
        old, new = r.values["old_code"], r.values["new_code"]
        if not old:
            r.errors.append("Thiếu mã đơn vị cũ.")
            continue
        if old not in units:
            r.errors.append(f"Không có đơn vị mã «{old}» trong hệ thống.")
        elif not permissions.within(units[old].path, scope):
            r.errors.append(f"«{units[old].name}» ngoài phạm vi đơn vị bạn quản trị.")
        if new and new not in units:
            r.errors.append(f"Chưa có đơn vị kế thừa mã «{new}»: hãy nhập cây đơn vị hoặc danh mục quốc gia trước.")
        elif new and not permissions.within(units[new].path, scope):
            r.errors.append(f"«{units[new].name}» ngoài phạm vi đơn vị bạn quản trị.")
        if any(o.values["new_code"] == new for o in groups.get(old, [])):
            r.errors.append(f"Dòng trùng: «{old}» → «{new or 'giải thể'}» đã có ở dòng trên.")
        groups.setdefault(old, []).append(r)

    mapping = {old: {r.values["new_code"] for r in rows} - {""} - {old} for old, rows in groups.items()}
    later = _later_successions([u.pk for u in units.values()], on)
    lines_of = {old: [r.line for r in rows] for old, rows in groups.items()}
    for old, rows in groups.items():
        if old not in units or any(r.errors for r in rows):
            continue
        fate = _fate(units[old], rows, units, mapping, lines_of, on, choices, later)
        p.fates.append(fate)
    _count_carried(p.fates, on)
    for f in p.fates:
        _check_carry(f, on)
    p.fates.sort(key=lambda f: (-f.unit.depth, f.unit.path))
    return p


def _later_successions(pks: list[int], on: date) -> dict[int, date]:
    """Per unit, the latest restructuring step after `on` it took part in (the plan cannot go back before it)."""
    out: dict[int, date] = {}
    for chunk in chunks(pks, 400):
        for a, b, day in (UnitSuccession.objects.filter(Q(predecessor_id__in=chunk) | Q(successor_id__in=chunk),
                                                         date__gt=on).values_list("predecessor_id", "successor_id",
                                                                                  "date")):
            for pk in (a, b):
                if pk is not None and (pk not in out or out[pk] < day):
                    out[pk] = day
    return out


def _cycle(start: str, mapping: dict[str, set[str]]) -> list[str] | None:
    """A path start → … → start through the plan's successors, if there is one."""
    stack: list[tuple[str, list[str]]] = [(n, [start, n]) for n in sorted(mapping.get(start, ()))]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == start:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((n, [*path, n]) for n in sorted(mapping.get(node, ())))
    return None


def _fate(unit: OrgUnit, rows: list[Row], units: dict[str, OrgUnit], mapping: dict[str, set[str]],
          lines_of: dict[str, list[int]], on: date, choices: dict[str, str], later: dict[int, date]) -> Fate:
    news = [r.values["new_code"] for r in rows]
    lines = [r.line for r in rows]
    fate = Fate(unit=unit, kind=KEEP, lines=lines)
    if "" in news and len(news) > 1:
        fate.errors.append("Một dòng để trống mã đơn vị kế thừa (giải thể) nhưng dòng khác lại ghi đơn vị kế thừa.")
        return fate
    if unit.code in news:
        if len(news) > 1:
            fate.errors.append(f"«{unit.name}» vừa giữ nguyên vừa được sắp xếp vào đơn vị khác.")
        return fate
    successors = [units[c] for c in news if c]
    fate.successors = successors
    fate.kind = RETIRE if not successors else MERGE if len(successors) == 1 else SPLIT
    # Already done: the unit ended on this date into exactly these successors.
    if unit.valid_to is not None:
        done = set(UnitSuccession.objects.filter(predecessor=unit, date=unit.valid_to)
                   .exclude(kind=SuccessionKind.MOVE).values_list("successor_id", flat=True))
        if unit.valid_to == on and done == ({s.pk for s in successors} or {None}):
            fate.kind = DONE
            return fate
        fate.errors.append(f"«{unit.name}» đã kết thúc hoạt động từ {unit.valid_to:%d/%m/%Y}.")
        return fate
    if unit.valid_from and unit.valid_from >= on:
        fate.errors.append(f"«{unit.name}» chỉ có hiệu lực từ {unit.valid_from:%d/%m/%Y}, không trước ngày hiệu lực.")
    for u in [unit, *successors]:
        if u.pk in later:
            fate.errors.append(f"«{u.name}» đã có lần sắp xếp ngày {later[u.pk]:%d/%m/%Y}, sau ngày hiệu lực "
                               f"{on:%d/%m/%Y}: không áp dụng kế hoạch về trước được.")
    if (cycle := _cycle(unit.code, mapping)) is not None:
        fate.errors.append("Vòng lặp trong kế hoạch: " + " → ".join(cycle) + ".")
    for s in successors:
        if s.valid_to is not None and s.valid_to <= on:
            fate.errors.append(f"Đơn vị kế thừa «{s.name}» đã kết thúc hoạt động từ {s.valid_to:%d/%m/%Y}.")
        if s.valid_from and s.valid_from > on:
            fate.errors.append(f"Đơn vị kế thừa «{s.name}» chỉ có hiệu lực từ {s.valid_from:%d/%m/%Y}.")
        if s.path.startswith(unit.path):
            fate.errors.append(f"«{s.name}» nằm trong «{unit.name}»: sắp xếp như vậy tạo vòng lặp.")
        if s.code in mapping and mapping[s.code] and cycle is None:
            fate.errors.append(f"Đơn vị kế thừa «{s.name}» cũng được sắp xếp trong kế hoạch này (dòng "
                               f"{', '.join(map(str, lines_of[s.code]))}); hãy ghi thẳng đơn vị kế thừa cuối cùng.")
    if fate.kind == SPLIT:
        by_code = {r.values["new_code"]: r for r in rows}
        missing = [r.line for r in rows if not r.values["share"].strip()]
        if missing:
            fate.errors.append(f"«{unit.name}» được chia về {len(successors)} đơn vị kế thừa nhưng dòng "
                               f"{', '.join(map(str, missing))} không ghi phần chia tách.")
        fate.shares = {units[c].pk: r.values["share"].strip() for c, r in by_code.items()}
        marked = [r for r in rows if _marked(r.values["takes_over"])]
        if len(marked) > 1:
            fate.errors.append(f"Chỉ một đơn vị kế thừa tiếp nhận «{unit.name}»; dòng "
                               f"{', '.join(str(r.line) for r in marked)} cùng đánh dấu.")
        chosen = choices.get(unit.code) or (marked[0].values["new_code"] if len(marked) == 1 else "")
        if chosen:
            if chosen not in by_code:
                fate.errors.append(f"«{chosen}» không phải một đơn vị kế thừa của «{unit.name}».")
            else:
                fate.takes_over = units[chosen]
    elif fate.kind == MERGE:
        fate.takes_over = successors[0]
        fate.shares = {successors[0].pk: rows[0].values["share"].strip()}
    return fate


def _count_carried(fates: list[Fate], on: date) -> None:
    """How many working children (not themselves leaving in the plan), people and open dossiers each unit hands
    over: a few grouped queries, whatever the plan's size."""
    active = [f for f in fates if f.changes]
    leaving_under: dict[str, int] = {}
    for f in active:
        parent = f.unit.path[:-OrgUnit.steplen]
        leaving_under[parent] = leaving_under.get(parent, 0) + 1
    working = org_tree.working_children([f.unit for f in active], on)
    pks = [f.unit.pk for f in active]
    people: dict[int, int] = {}
    dossiers: dict[int, int] = {}
    for chunk in chunks(pks):
        people.update(Membership.objects.filter(unit_id__in=chunk).order_by().values("unit_id")
                      .annotate(n=Count("pk")).values_list("unit_id", "n"))
        dossiers.update(restructuring.open_dossiers(on).filter(unit_id__in=chunk).order_by().values("unit_id")
                        .annotate(n=Count("pk")).values_list("unit_id", "n"))
    for f in active:
        f.children = working.get(f.unit.path, 0) - leaving_under.get(f.unit.path, 0)
        f.people = people.get(f.unit.pk, 0)
        f.submissions = dossiers.get(f.unit.pk, 0)


def _check_carry(f: Fate, on: date) -> None:
    if f.needs_choice and f.takes_over is None:
        f.errors.append(f"«{f.unit.name}» còn {f.children} đơn vị trực thuộc, {f.people} vai trò người dùng, "
                        f"{f.submissions} hồ sơ đang mở: hãy chọn đơn vị kế thừa tiếp nhận (cột «Tiếp nhận»).")
    if f.kind == RETIRE:
        if f.children:
            f.errors.append(f"«{f.unit.name}» còn {f.children} đơn vị trực thuộc không có trong kế hoạch: hãy ghi "
                            "đơn vị kế thừa cho chúng hoặc cho chính đơn vị này.")
        if f.submissions:
            f.errors.append(f"«{f.unit.name}» còn {f.submissions} hồ sơ đang mở: giải thể thì không ai tiếp nhận; "
                            "hãy ghi đơn vị kế thừa.")
        if f.people:
            f.warnings.append(f"{f.people} vai trò người dùng vẫn gắn với «{f.unit.name}» sau khi giải thể; hãy "
                              "giao vai trò ở đơn vị mới cho họ.")
    if f.takes_over is not None and f.kind in (MERGE, SPLIT) and f.submissions:
        f.errors.extend(restructuring.submission_clash(f.unit, f.takes_over, on))


# ---------------------------------------------------------------- apply


@dataclass
class PlanApplied(Applied):
    preview: PlanPreview  # type: ignore[assignment]
    successions: int = 0

    def to_dict(self) -> dict:
        return {**super().to_dict(), "successions": self.successions}

    @property
    def message(self) -> str:
        if not self.preview.changes:
            return self.preview.message + " Không có gì được ghi."
        return self.preview.message.replace("Kế hoạch hợp lệ", "Đã áp dụng kế hoạch")


def apply_plan(data: bytes, filename: str, *, by: Actor, on: date | None, choices: dict[str, str] | None = None,
               run: ImportRun | None = None) -> PlanApplied:
    """Check the whole plan again inside one transaction and apply every step, or nothing."""
    with transaction.atomic():
        one_at_a_time(ImportKind.PLAN, run)
        preview = preview_plan(data, filename, by=by, on=on, choices=choices)
        if not preview.ok:
            raise refusal(_as_rows(preview))
        assert on is not None
        if run is None:
            run = ImportRun.objects.create(kind=ImportKind.PLAN, filename=filename[:255],
                                           sha256=hashlib.sha256(data).hexdigest(), content=data,
                                           effective_on=on, created_by=permissions.author(by))
        elif run.effective_on != on:
            run.effective_on = on
        result = PlanApplied(preview=preview, run=run)
        note = f"Theo kế hoạch sắp xếp «{filename}», hiệu lực từ {on:%d/%m/%Y}."
        for f in preview.fates:
            if not f.changes:
                continue
            unit = OrgUnit.objects.get(pk=f.unit.pk)
            successors = [OrgUnit.objects.get(pk=s.pk) for s in f.successors]
            if f.kind == MERGE:
                restructuring.merge_units(by=by, units=[unit], into=successors[0], on=on,
                                          note=f.shares.get(successors[0].pk) or note, batch=run)
            elif f.kind == SPLIT:
                restructuring.split_unit(by=by, unit=unit, into=successors, on=on, note=note, notes=f.shares,
                                         takes_over=OrgUnit.objects.get(pk=f.takes_over.pk) if f.takes_over else None,
                                         batch=run)
            else:
                restructuring.retire_unit(by=by, unit=unit, on=on, note=note, batch=run)
        result.successions = UnitSuccession.objects.filter(batch=run).count()
        result.created = preview.changes
        close_run(run, data, filename, by, ImportKind.PLAN, result)
        run.summary = {**run.summary, "choices": choices or {}}
        run.save(update_fields=["summary", "effective_on"])
    return result


def _as_rows(p: PlanPreview) -> Preview:
    """The plan's problems as the rows `refusal` lists: each fate's errors on its first line."""
    out = Preview(kind=p.kind, filename=p.filename, file_errors=list(p.file_errors), rows=list(p.error_rows))
    out.rows += [Row(f.lines[0], {}, errors=f.errors) for f in p.fates if f.errors]
    out.rows.sort(key=lambda r: r.line)
    return out
