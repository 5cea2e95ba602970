"""The national registry of administrative units (issue 22 §1), read from the maintained package
`vietnam-provinces` (the statistics office's lists after Resolution 202/2025/QH15: 34 provinces,
3,321 commune-level units). Nothing of the registry is copied into this repository.

A commune-level unit becomes an `OrgUnit` whose code carries its official code (`DVHC-21034`), so
importing the same province again finds every unit by its official code and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from danvan.search.text import fold

CODE_PREFIX = "DVHC-"

# The registry's division types → our unit kinds (code, name), created as data when first needed.
KINDS = {
    VietNamDivisionType.XA: ("dvhc-xa", "Xã"),
    VietNamDivisionType.PHUONG: ("dvhc-phuong", "Phường"),
    VietNamDivisionType.DAC_KHU: ("dvhc-dac-khu", "Đặc khu"),
}
_TYPE_PREFIXES = ("thành phố", "tỉnh", "đặc khu", "phường", "xã")


@dataclass(frozen=True)
class RegistryProvince:
    code: int
    name: str  # "Tỉnh Quảng Ngãi"

    @property
    def short_name(self) -> str:  # "Quảng Ngãi"
        return strip_type(self.name)


@dataclass(frozen=True)
class Commune:
    code: int
    name: str  # "Xã An Phú"
    kind: str  # our UnitKind code
    kind_name: str
    province: RegistryProvince

    @property
    def unit_code(self) -> str:
        return unit_code(self.code)

    @property
    def place_name(self) -> str:  # what a letter's date line reads: "An Phú, ngày … tháng … năm …"
        return strip_type(self.name)


def unit_code(official: int) -> str:
    return f"{CODE_PREFIX}{official:05d}"


def strip_type(name: str) -> str:
    low = name.lower()
    for prefix in _TYPE_PREFIXES:
        if low.startswith(prefix + " "):
            return name[len(prefix) + 1:].strip()
    return name.strip()


def provinces() -> list[RegistryProvince]:
    return sorted((RegistryProvince(int(p.code), p.name) for p in Province.iter_all()), key=lambda p: fold(p.short_name))


def find_province(text: str) -> RegistryProvince | None:
    """A province by its name as people write it ("Quảng Ngãi", "tỉnh Quảng Ngãi", "quang ngai",
    "TP Hồ Chí Minh") or by its official code ("51")."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        try:
            found = Province.from_code(ProvinceCode(int(text)))
        except ValueError:
            return None
        return RegistryProvince(int(found.code), found.name)
    wanted = fold(strip_type(text.replace("TP.", "Thành phố").replace("TP ", "Thành phố ")))
    return next((p for p in provinces() if fold(p.short_name) == wanted), None)


def communes(province: RegistryProvince) -> list[Commune]:
    out = []
    for w in Ward.iter_by_province(ProvinceCode(province.code)):
        kind, kind_name = KINDS[VietNamDivisionType(w.division_type)]
        out.append(Commune(int(w.code), w.name, kind, kind_name, province))
    return sorted(out, key=lambda c: c.code)


# ---------------------------------------------------------------- the import: a tree file made from the registry
# The registry's units go through the tree import (preview, apply, its run, its history and its checks):
# the step exists once.


def _deepest_level_below(unit):
    from danvan.orgs.models import Level

    return Level.objects.filter(rank__gt=unit.level.rank).order_by("-rank").first()


def registry_file(province_text: str, under_code: str, *, level_code: str | None = None) -> tuple[bytes, str]:
    """The tree file (CSV, the tree import's columns) that creates or updates one unit per commune-level unit of
    the province under the unit `under_code`. Units already imported keep what the registry does not say
    (letter header, suffix, address, family, parent); the registry gives name and kind."""
    from django.core.exceptions import ValidationError

    from danvan.orgs.models import DocFamily, Level, OrgUnit

    from .importing import TREE_COLUMNS, TREE_LABELS, headers
    from .tables import write_csv
    from .tree_import import export_values

    province = find_province(province_text)
    if province is None:
        raise ValidationError(f"Không có tỉnh, thành phố «{province_text}» trong danh mục đơn vị hành chính "
                              "(34 tỉnh, thành phố từ 01/7/2025).", code="unknown_province")
    under = OrgUnit.objects.select_related("level").filter(code=under_code).first()
    if under is None:
        raise ValidationError(f"Không có đơn vị mã «{under_code}».", code="unknown_unit")
    if level_code:
        level = Level.objects.filter(code=level_code).first()
        if level is None:
            raise ValidationError(f"Không có cấp mã «{level_code}».", code="unknown_level")
    else:
        level = _deepest_level_below(under)
        if level is None:
            raise ValidationError(f"Chưa có cấp nào dưới cấp «{under.level.name}» của «{under.name}»; hãy tạo cấp "
                                  "xã trong Quản trị hoặc chỉ rõ cấp.", code="no_level")
    items = communes(province)
    existing = export_values([c.unit_code for c in items])
    # The file reads as the pages do: levels and families by their names (the tree import takes both). Kinds stay
    # codes: "Xã" folds to the code of another kind ("xa").
    names = {"level": dict(Level.objects.values_list("code", "name")),
             "doc_family": {str(v): str(label) for v, label in DocFamily.choices}}
    rows = []
    for c in items:
        row = existing.get(c.unit_code) or {
            "code": c.unit_code, "parent_code": under.code, "level": level.code, "header_name": "",
            "superior_name": "", "doc_suffix": "", "place_name": c.place_name,
            "address": f"{c.name}, {province.name[0].lower()}{province.name[1:]}", "doc_family": "state"}
        row = {**row, "name": c.name, "kind": c.kind}
        rows.append([names[col].get(row[col], row[col]) if col in names else row.get(col, "") for col in TREE_COLUMNS])
    return write_csv(headers(TREE_COLUMNS, TREE_LABELS), rows), f"danh-muc-{province.code:02d}-{fold(province.short_name).replace(' ', '-')}.csv"
