"""The organisation tree on the movement's reporting line (DOMAIN.md §3).

The tree is a materialized path (django-treebeard MP_Node): a subtree is one
indexed prefix query, ancestors are the prefixes of a path, so nothing recurses
in Python even at 100,000 nodes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from .codes import is_valid, validate_code, validate_short_code


class Level(models.Model):  # type: ignore[django-manager-missing]
    """A tier of the tree (tỉnh, huyện, xã, cơ sở…): data, not code."""

    code = models.CharField("mã", max_length=32, unique=True, validators=[validate_short_code])
    name = models.CharField("tên cấp", max_length=100)
    rank = models.PositiveSmallIntegerField("thứ bậc", help_text="0 là cấp cao nhất.")

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = "cấp"
        verbose_name_plural = "các cấp"

    def __str__(self) -> str:
        return self.name


class UnitKind(models.Model):  # type: ignore[django-manager-missing]
    """What a node is (ban đảng, sở, huyện ủy, chi bộ, MTTQ…)."""

    code = models.CharField("mã", max_length=32, unique=True, validators=[validate_short_code])
    name = models.CharField("tên loại", max_length=150)

    class Meta:
        ordering = ["name"]
        verbose_name = "loại đơn vị"
        verbose_name_plural = "các loại đơn vị"

    def __str__(self) -> str:
        return self.name


class DocFamily(models.TextChoices):
    STATE = "state", "Văn bản hành chính nhà nước"
    PARTY = "party", "Văn bản của Đảng"


class OrgUnit(MP_Node):
    code = models.CharField("mã đơn vị", max_length=64, unique=True, validators=[validate_code],
                            help_text="Chữ cái không dấu, chữ số và _ . -; dùng trong địa chỉ trang và tên tệp.")
    name = models.CharField("tên đầy đủ", max_length=255)
    header_name = models.CharField(
        "tên trong tiêu đề văn bản",
        max_length=255,
        blank=True,
        help_text="Ví dụ: SỞ KHOA HỌC VÀ CÔNG NGHỆ, BAN DÂN VẬN. Để trống thì dùng tên viết hoa.",
    )
    superior_name = models.CharField(
        "cơ quan chủ quản (in trên tiêu đề)",
        max_length=255,
        blank=True,
        help_text="Ví dụ: UBND TỈNH QUẢNG NGÃI, TỈNH ỦY QUẢNG NGÃI.",
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name="cấp")
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, verbose_name="loại đơn vị")
    doc_suffix = models.CharField("ký hiệu văn bản", max_length=40, blank=True)
    place_name = models.CharField("địa danh ghi ngày tháng", max_length=100, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    doc_family = models.CharField(
        "thể thức văn bản", max_length=10, choices=DocFamily.choices, default=DocFamily.STATE
    )
    valid_from = models.DateField("hiệu lực từ ngày", null=True, blank=True)
    valid_to = models.DateField("hết hiệu lực từ ngày", null=True, blank=True)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "các đơn vị"
        indexes = [
            # Prefix (LIKE 'path%') lookups on PostgreSQL need the pattern opclass.
            models.Index(fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title_name(self) -> str:
        return self.names_on().title_name

    def names_on(self, day: datetime.date | None = None) -> UnitNames:
        """The names valid on `day` (today): a document prints those of its own date (DOMAIN.md §3b).

        The unit's own fields are today's names; each renaming kept the names it replaced, valid until
        the renaming's date, so the first kept set still valid after `day` is the one of that day.
        """
        former = self.former_names.filter(valid_to__gt=day).order_by("valid_to").first() \
            if day is not None else None
        return UnitNames.of(former or self)

    @property
    def code_ok(self) -> bool:
        """False for a code stored before the rule (an old import): pages show a repair link instead."""
        return is_valid(self.code)

    @staticmethod
    def active_q(on=None, prefix: str = "") -> Q:
        """Units still working on `on` (today): not merged, split or retired before it."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})

    @property
    def ended(self) -> bool:
        """Merged into another unit, split, or retired (its end date has come): listed as such, never a target."""
        return self.ended_by()

    def ended_by(self, on=None) -> bool:
        """Ended on or before `on` (today), as `active_q(on)` leaves it out."""
        from django.utils import timezone

        return self.valid_to is not None and self.valid_to <= (on or timezone.localdate())

    def subtree_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}path__startswith": self.path})

    def is_in_subtree_of(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)

    def ancestor_paths(self) -> list[str]:
        step = self.steplen
        return [self.path[: i * step] for i in range(1, self.depth)]


@dataclass(frozen=True)
class UnitNames:
    """What a document prints of its issuer on one date."""

    name: str
    header_name: str
    superior_name: str
    doc_suffix: str
    doc_family: str

    @classmethod
    def of(cls, source: OrgUnit | FormerName) -> UnitNames:
        return cls(**{f: getattr(source, f) for f in NAME_FIELDS})

    @property
    def title_name(self) -> str:
        return self.header_name or self.name.upper()


NAME_FIELDS = ["name", "header_name", "superior_name", "doc_suffix", "doc_family"]


class FormerName(models.Model):
    """The names a unit bore until it was renamed on `valid_to` (e.g. "Ban Dân vận Tỉnh ủy" until 3/2/2025)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="former_names", verbose_name="đơn vị")
    valid_to = models.DateField("dùng đến trước ngày", help_text="Ngày đổi tên: từ ngày này văn bản in tên mới.")
    name = models.CharField("tên đầy đủ", max_length=255)
    header_name = models.CharField("tên trong tiêu đề văn bản", max_length=255, blank=True)
    superior_name = models.CharField("cơ quan chủ quản (in trên tiêu đề)", max_length=255, blank=True)
    doc_suffix = models.CharField("ký hiệu văn bản", max_length=40, blank=True)
    doc_family = models.CharField("thể thức văn bản", max_length=10, choices=DocFamily.choices,
                                  default=DocFamily.STATE)
    created_at = models.DateTimeField("ghi lúc", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="người ghi")

    class Meta:
        verbose_name = "tên trước đây"
        verbose_name_plural = "các tên trước đây"
        ordering = ["unit", "valid_to"]
        constraints = [models.UniqueConstraint(fields=["unit", "valid_to"], name="former_name_one_per_day")]

    def __str__(self) -> str:
        return f"{self.name} (đến {self.valid_to:%d/%m/%Y})"


class Role(models.TextChoices):
    OFFICER = "officer", "Cán bộ đơn vị"
    LEADER = "leader", "Lãnh đạo đơn vị"
    OFFICE = "office", "Văn phòng tổng hợp"
    BOARD = "board", "Ban Dân vận"
    ADMIN = "admin", "Quản trị"


def role_label(role: str) -> str:
    """The role's Vietnamese name; an unknown value (an old import) as it is."""
    try:
        return str(Role(role).label)
    except ValueError:
        return role


# What each role may do is in danvan.orgs.permissions.


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="người dùng",
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name="đơn vị"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    title = models.CharField("chức danh", max_length=150, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    # Who gave whom which role, and when it was taken away: shown in the admins' audit log.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thành viên đơn vị"
        verbose_name_plural = "thành viên đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
