"""Movements, fields and exemplars ("mô hình, điển hình", DOMAIN.md §5, §8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from danvan.orgs.models import OrgUnit


class Movement(models.Model):
    name = models.CharField("tên phong trào", max_length=255)
    period_start = models.PositiveSmallIntegerField("từ năm")
    period_end = models.PositiveSmallIntegerField("đến năm")
    plans = models.TextField(
        "kế hoạch thực hiện",
        blank=True,
        help_text="Ví dụ: Kế hoạch số 31-KH/TU ngày 16/3/2021 của Tỉnh ủy Quảng Ngãi.",
    )

    class Meta:
        ordering = ["-period_start"]
        verbose_name = "phong trào"
        verbose_name_plural = "các phong trào"
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="movement_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} giai đoạn {self.period_start} - {self.period_end}"

    def covers(self, year: int) -> bool:
        return self.period_start <= year <= self.period_end


class FieldCategory(models.Model):
    """The national fields of seed 004 (kinh tế, văn hóa - xã hội, …)."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=150)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "lĩnh vực toàn quốc"
        verbose_name_plural = "các lĩnh vực toàn quốc"

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    """A unit's own field label ("Lĩnh vực Tài chính, Văn phòng"), usable in its subtree."""

    owner = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="fields", verbose_name="đơn vị định nghĩa"
    )
    name = models.CharField("tên lĩnh vực", max_length=255)
    category = models.ForeignKey(
        FieldCategory, on_delete=models.PROTECT, verbose_name="thuộc lĩnh vực toàn quốc"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "lĩnh vực của đơn vị"
        verbose_name_plural = "lĩnh vực của đơn vị"
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="field_unique_name")]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    COLLECTIVE = "collective", "Mô hình tập thể"
    INDIVIDUAL = "individual", "Mô hình cá nhân"


class Origin(models.TextChoices):
    NEW = "new", "Xây dựng mới"
    REPLICATION = "replication", "Nhân rộng"


class Status(models.TextChoices):
    REGISTERED = "registered", "Đã đăng ký"


class ExemplarQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class Exemplar(models.Model):
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="exemplars", verbose_name="đơn vị"
    )
    year = models.PositiveSmallIntegerField("năm đăng ký", db_index=True)
    movement = models.ForeignKey(
        Movement, on_delete=models.PROTECT, related_name="exemplars", verbose_name="phong trào"
    )
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="exemplars", verbose_name="lĩnh vực"
    )
    name = models.CharField("tên mô hình, điển hình", max_length=500)
    kind = models.CharField("hình thức", max_length=12, choices=Kind.choices)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    content_problem = models.TextField(
        "nội dung: vấn đề cần giải quyết và giải pháp", blank=True
    )
    content_actors = models.TextField("tổ chức, cá nhân thực hiện", blank=True)
    content_results = models.TextField("dự kiến kết quả mô hình đem lại", blank=True)
    origin = models.CharField("trong đó", max_length=12, choices=Origin.choices, default=Origin.NEW)
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replicas",
        verbose_name="nhân rộng từ mô hình",
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người tạo",
    )
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người sửa",
    )
    deleted_at = models.DateTimeField("xóa lúc", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người xóa",
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])
    objects = ExemplarQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__path", "field__name", "pk"]
        verbose_name = "mô hình, điển hình"
        verbose_name_plural = "mô hình, điển hình"
        indexes = [
            models.Index(fields=["unit", "year"], name="exemplar_unit_year"),
            models.Index(fields=["year", "kind"], name="exemplar_year_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("pk")), name="exemplar_not_own_source"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
