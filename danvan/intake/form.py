"""From grid rows to exemplars: header mapping and row classification (DOMAIN.md §5)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from danvan.foundation.html import sanitize_html
from danvan.search.text import fold_key as fold

from .content import (
    address_from_lines,
    join_address,
    join_fragments,
    plain_text,
    split_content_parts,
)
from .grid import Block, GridCell
from .model import TOO_MANY, IntakeError, ParsedExemplar, Warning

# Column roles, in matching order: the content header mentions "cá nhân" and
# "mô hình, điển hình", so it must be recognized first.
ROLE_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("content", ("noi dung",)),
    ("name", ("ten mo hinh", "ten dien hinh", "mo hinh, dien hinh", "ten mo hinh/dien hinh")),
    ("address", ("dia chi", "dia diem", "dia ban")),
    ("collective", ("tap the",)),
    ("individual", ("ca nhan",)),
    ("new", ("xay dung moi", "xay moi", "xay dung")),
    ("replication", ("nhan rong",)),
    ("kind_group", ("hinh thuc",)),
    ("origin_group", ("trong do", "phan loai")),
)
_STT_RE = re.compile(r"^(?:stt|tt|so tt|so thu tu|s\.\s?tt|s\.t\.t)\.?$")
DATA_ROLES = ("stt", "name", "collective", "individual", "address", "content", "new", "replication")
_MAX_HEADER_TEXT = 300

EXPECTED_HEADERS = (
    "STT; LĨNH VỰC/TÊN MÔ HÌNH, ĐIỂN HÌNH; HÌNH THỨC (Mô hình tập thể, Mô hình cá nhân); "
    "Địa chỉ; NỘI DUNG CỤ THỂ MÔ HÌNH, ĐIỂN HÌNH; TRONG ĐÓ (Xây dựng mới, Nhân rộng)"
)

_ROMAN = r"(?=[IVXLC])(?:C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_ONLY_RE = re.compile(rf"^{_ROMAN}[.):\-–]?$")
_ROMAN_PREFIX_RE = re.compile(rf"^({_ROMAN})(?:[.):\-–]\s*|\s+)(\S.*)$", re.S)
_NUMBER_RE = re.compile(r"^0*(\d{1,6})\s*[.)]?$")
_TEMPLATE_RE = re.compile(r"^(?:\d+|[IVXLC]+)?\s*[.…_\-]{2,}\s*$")
_COLNUM_RE = re.compile(r"^\(?(\d{1,2})\)?$")
TRUE_MARKS = {"x", "✓", "✔", "☑", "☒", "✗", "✘", "co", "v"}
FALSE_MARKS = {"", "-", "–", "0", "khong", "k"}
_SKIP_NAMES = ("tong cong", "tong so", "cong:", "ghi chu")


# ------------------------------------------------------------------ header mapping


def _cell_role(cell: GridCell) -> str | None:
    raw = cell.text
    if not raw or len(raw) > _MAX_HEADER_TEXT:
        return None
    text = fold(raw)
    for role, keys in ROLE_KEYS:
        if any(k in text for k in keys):
            return role
    return "stt" if _STT_RE.match(text) else None


def header_roles(row: list[GridCell]) -> dict[str, GridCell]:
    """Roles recognized in a row (first cell wins per role)."""
    found: dict[str, GridCell] = {}
    for cell in row:
        role = _cell_role(cell)
        if role and role not in found:
            found[role] = cell
    return found


def is_column_number_row(row: list[GridCell]) -> bool:
    """The "1 2 3 … 8" row under the header."""
    numbers: list[int] = []
    for cell in row:
        text = cell.text
        if not text:
            continue
        m = _COLNUM_RE.match(text)
        if not m:
            return False
        numbers.append(int(m.group(1)))
    return len(numbers) >= 3 and all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False))


def _group_columns(
    found: dict[str, GridCell], group: str, first: str, second: str
) -> dict[str, int]:
    cell = found.get(group)
    if cell is None or cell.span < 2:
        return {}
    return {first: cell.start, second: cell.start + 1}


def build_mapping(header_rows: list[list[GridCell]]) -> dict[str, int] | None:
    """Column of each role from the header rows, or None if this is not the form."""
    found: dict[str, GridCell] = {}
    for row in header_rows:
        for role, cell in header_roles(row).items():
            found.setdefault(role, cell)
    mapping = {role: cell.start for role, cell in found.items() if role in DATA_ROLES}
    for role, col in _group_columns(found, "kind_group", "collective", "individual").items():
        mapping.setdefault(role, col)
    for role, col in _group_columns(found, "origin_group", "new", "replication").items():
        mapping.setdefault(role, col)
    core = {"content", "address", "collective", "individual", "new", "replication"}
    if "name" not in mapping or len(core & mapping.keys()) < 2:
        return None
    if len(set(mapping.values())) != len(mapping):  # two roles on one column: not our table
        return None
    return mapping


# ------------------------------------------------------------------ row values


@dataclass
class RowValues:
    stt: str
    name: str
    marks: dict[str, str]
    address: str
    content: list[str]

    @property
    def any_mark(self) -> bool:
        return any(v for v in self.marks.values())

    def is_empty(self) -> bool:
        return not (self.stt or self.name or self.any_mark or self.address or self.content)


def _untemplate(text: str) -> str:
    return "" if _TEMPLATE_RE.match(text) else text


def row_values(row: list[GridCell], mapping: dict[str, int]) -> RowValues:
    by_start = {cell.start: cell for cell in row}

    def cell(role: str) -> GridCell | None:
        col = mapping.get(role)
        return by_start.get(col) if col is not None else None

    def text(role: str) -> str:
        found = cell(role)
        return found.text if found else ""

    address = cell("address")
    content = cell("content")
    return RowValues(
        stt=_untemplate(text("stt")),
        name=_untemplate(text("name")),
        marks={role: text(role) for role in ("collective", "individual", "new", "replication")},
        address=address_from_lines([plain_text(p) for p in address.paragraphs]) if address else "",
        content=list(content.paragraphs) if content else [],
    )


def mark_value(text: str) -> bool | None:
    """True for X/x/✓/✔/có, False for empty or "không", None when unclear."""
    key = fold(text).strip(" .()[]")
    if key in TRUE_MARKS:
        return True
    if key in FALSE_MARKS:
        return False
    return None


def group_label(values: RowValues) -> str | None:
    """Field label of a group row ("I | Lĩnh vực …", "II <i>Lĩnh vực …</i>", "I. Lĩnh vực…")."""
    if values.any_mark or values.address or values.content or _NUMBER_RE.match(values.stt):
        return None
    if values.name and (_ROMAN_ONLY_RE.match(values.stt) or _is_field(values.name)):
        return _clean_label(_strip_numeral(values.name))
    combined = " ".join(t for t in (values.stt, values.name) if t)
    stripped = _strip_numeral(combined)
    if stripped != combined or _is_field(combined):
        return _clean_label(stripped)
    return None


def _is_field(text: str) -> bool:
    return fold(_strip_numeral(text)).startswith("linh vuc")


def _strip_numeral(text: str) -> str:
    m = _ROMAN_PREFIX_RE.match(text)
    return m.group(2) if m else text


def _clean_label(text: str) -> str:
    text = text.strip()
    while text and text[-1] in ".…:;":
        text = text[:-1].rstrip()
    return text or "Lĩnh vực"


# ------------------------------------------------------------------ assembly


@dataclass
class Draft:
    row_no: int
    field_label: str
    name: str
    location: str
    marks: dict[str, list[str]] = field(default_factory=dict)
    address: str = ""
    content: list[str] = field(default_factory=list)

    def add(self, values: RowValues) -> None:
        for role, text in values.marks.items():
            if text:
                self.marks.setdefault(role, []).append(text)
        self.address = join_address(self.address, values.address)
        self.content = join_fragments(self.content, values.content)


def _label(draft: Draft) -> str:
    if draft.name:
        short = draft.name if len(draft.name) <= 70 else draft.name[:67].rstrip() + "…"
        return f"Mô hình «{short}»"
    return f"Mô hình số {draft.row_no} ({draft.location})"


def _choice(
    draft: Draft, first: str, second: str, labels: tuple[str, str], code: str
) -> tuple[str | None, list[Warning]]:
    warnings: list[Warning] = []
    chosen: list[str] = []
    for role in (first, second):
        for text in draft.marks.get(role, []):
            value = mark_value(text)
            if value is None:
                warnings.append(
                    Warning(
                        "mark_unclear",
                        f"{_label(draft)}: ô “{labels[0 if role == first else 1]}” ghi "
                        f"“{text}”, không hiểu là có đánh dấu hay không (dùng X).",
                    )
                )
            elif value and role not in chosen:
                chosen.append(role)
    both, neither = f"“{labels[0]}” và “{labels[1]}”", f"“{labels[0]}” hay “{labels[1]}”"
    if len(chosen) == 2:
        warnings.append(
            Warning(f"{code}_both", f"{_label(draft)}: đánh dấu cả {both}; hãy chọn một.")
        )
        return None, warnings
    if not chosen:
        warnings.append(Warning(f"{code}_none", f"{_label(draft)}: chưa đánh dấu {neither}."))
        return None, warnings
    return chosen[0], warnings


def _html(paragraphs: list[str]) -> str:
    return sanitize_html("".join(f"<p>{p}</p>" for p in paragraphs))


def finish(draft: Draft) -> ParsedExemplar:
    kind, warnings = _choice(
        draft, "collective", "individual", ("Mô hình tập thể", "Mô hình cá nhân"), "kind"
    )
    origin, more = _choice(draft, "new", "replication", ("Xây dựng mới", "Nhân rộng"), "origin")
    warnings += more
    if not draft.name:
        warnings.append(Warning("name_missing", f"{_label(draft)}: thiếu tên mô hình, điển hình."))
    if not draft.address:
        warnings.append(Warning("address_missing", f"{_label(draft)}: thiếu địa chỉ."))
    problem, actors, results = split_content_parts(draft.content)
    if not draft.content:
        warnings.append(Warning("content_missing", f"{_label(draft)}: thiếu nội dung cụ thể."))
    return ParsedExemplar(
        row_no=draft.row_no,
        field_label=draft.field_label,
        name=draft.name,
        kind=kind,  # type: ignore[arg-type]
        origin=origin,  # type: ignore[arg-type]
        address=draft.address,
        problem_html=_html(problem),
        actors_html=_html(actors),
        results_html=_html(results),
        warnings=warnings,
    )


@dataclass
class Assembler:
    """Walks the rows of every form table in order, across page breaks."""

    max_exemplars: int
    max_rows: int
    filename: str = ""
    field_label: str = ""
    seq: int = 0
    rows_seen: int = 0
    current: Draft | None = None
    done: list[ParsedExemplar] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def _close(self) -> None:
        if self.current is not None:
            self.done.append(finish(self.current))
            self.current = None

    def _start(self, values: RowValues, where: str) -> None:
        self._close()
        if len(self.done) >= self.max_exemplars:
            raise IntakeError(
                TOO_MANY,
                f"Tệp «{self.filename}» có hơn {self.max_exemplars} mô hình; mỗi lần chỉ nhận "
                f"tối đa {self.max_exemplars}. Hãy chia biểu mẫu thành nhiều tệp.",
            )
        self.seq += 1
        number = _NUMBER_RE.match(values.stt)
        self.current = Draft(
            row_no=int(number.group(1)) if number else self.seq,
            field_label=self.field_label,
            name=values.name,
            location=where,
        )
        self.current.add(values)

    def _continues_name(self, values: RowValues, has_stt: bool) -> bool:
        cur = self.current
        if cur is None or not has_stt or values.stt or values.any_mark or not values.name:
            return False
        return join_fragments([cur.name], [values.name]) != [cur.name, values.name]

    def feed(self, values: RowValues, where: str, has_stt: bool) -> None:
        self.rows_seen += 1
        if self.rows_seen > self.max_rows:
            raise IntakeError(
                TOO_MANY,
                f"Bảng trong tệp «{self.filename}» có hơn {self.max_rows} dòng, quá lớn cho một "
                "biểu đăng ký. Hãy chia thành nhiều tệp.",
            )
        if values.is_empty():
            return
        label = group_label(values)
        if label is not None:
            self._close()
            self.field_label, self.seq = label, 0
            return
        if fold(values.name).startswith(_SKIP_NAMES) and not values.any_mark:
            return
        if self._continues_name(values, has_stt):
            assert self.current is not None
            self.current.name = join_fragments([self.current.name], [values.name])[0]
            values.name = ""
            self.current.add(values)
            return
        if values.name or values.any_mark or (values.stt and (values.content or values.address)):
            self._start(values, where)
            return
        if values.content or values.address:
            if self.current is None:
                self.warnings.append(
                    Warning(
                        "continuation_orphan",
                        f"{where.capitalize()}: có nội dung nhưng không thuộc mô hình nào "
                        "(thiếu tên mô hình ở dòng trên) nên đã bỏ qua.",
                    )
                )
                return
            self.current.add(values)

    def result(self) -> list[ParsedExemplar]:
        self._close()
        return self.done


@dataclass
class Layout:
    """Where each column is, and the header texts (to skip them when repeated)."""

    mapping: dict[str, int]
    header_texts: frozenset[str]

    def is_repeated_header(self, row: list[GridCell]) -> bool:
        texts = [c.text for c in row]
        texts = [t for t in texts if t]
        if len(texts) < 2 or any(len(t) > _MAX_HEADER_TEXT for t in texts):
            return False
        return all(fold(t) in self.header_texts for t in texts)


def _layout(header: list[list[GridCell]]) -> Layout | None:
    mapping = build_mapping(header)
    if mapping is None:
        return None
    texts = {fold(c.text) for row in header for c in row}
    return Layout(mapping, frozenset(t for t in texts if t))


def block_rows(
    block: Block, inherited: Layout | None
) -> tuple[Layout | None, list[tuple[int, list[GridCell]]]]:
    """Find the block's header (if any) and return its layout and data rows.

    With a layout inherited from the previous table (a page break without a
    repeated header) rows are data from the first one. Repeated header rows
    and the column-number row are skipped wherever they are.
    """
    rows = block.rows
    data: list[tuple[int, list[GridCell]]] = []
    own: Layout | None = None
    i = 0
    while i < len(rows):
        row = rows[i]
        if own is None and len(header_roles(row)) >= 2:
            j = i + 1
            while j < len(rows) and _extends_header(rows[i:j], rows[j]):
                j += 1
            own = _layout(rows[i:j])
            if own is not None:
                i = j
                continue
        active = own or inherited
        if active is not None and not (is_column_number_row(row) or active.is_repeated_header(row)):
            data.append((i, row))
        i += 1
    return own or inherited, data


def _extends_header(header: list[list[GridCell]], row: list[GridCell]) -> bool:
    """A further header row ("Mô hình tập thể | Mô hình cá nhân | …").

    Every non-empty cell must name a column role, on a column the rows above
    left free or under a group header ("HÌNH THỨC", "TRONG ĐÓ") spanning it.
    """
    claimed: dict[int, str] = {}
    groups: list[GridCell] = []
    for above in header:
        for role, cell in header_roles(above).items():
            if role.endswith("_group"):
                groups.append(cell)
            else:
                claimed.setdefault(cell.start, role)
    found = {role for above in header for role in header_roles(above)}
    roles = 0
    for cell in row:
        if not cell.text:
            continue
        cell_role = _cell_role(cell)
        if cell_role is None or cell_role in found:
            return False
        under_group = any(g.start <= cell.start < g.start + g.span for g in groups)
        if claimed.get(cell.start, cell_role) != cell_role and not under_group:
            return False
        roles += 1
    return roles > 0
