"""Imports of filled forms: the batch a user uploads, its files (kept as evidence) and parsed rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from danvan.exemplars.models import Exemplar
from danvan.movement.models import RegistrationRound, Submission
from danvan.orgs.models import OrgUnit


class ImportBatch(models.Model):
    class State(models.TextChoices):
        PREVIEW = "preview", "Đang xem trước"
        CONFIRMED = "confirmed", "Đã nhập"
        CANCELLED = "cancelled", "Đã hủy"

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="import_batches", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    submission = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="import_batches", verbose_name="hồ sơ đăng ký")
    round = models.ForeignKey(RegistrationRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.PREVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name="người tải lên")
    created_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="người xác nhận")
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "lần nhập biểu mẫu"
        verbose_name_plural = "các lần nhập biểu mẫu"

    def __str__(self) -> str:
        return f"Nhập biểu mẫu {self.unit} năm {self.year}"


class ImportFile(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("tệp gốc", upload_to="imports/%Y/")
    filename = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField("kích thước")
    # Set when its batch is confirmed: one file (by content) is imported once per unit, enforced by the database, so
    # two previews of one file confirmed together cannot both save (issue 21 §5).
    confirmed_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name="đã nhập cho đơn vị")

    class Meta:
        verbose_name = "tệp biểu mẫu"
        verbose_name_plural = "tệp biểu mẫu"
        constraints = [models.UniqueConstraint(fields=["confirmed_unit", "sha256"], name="intake_file_imported_once")]

    def __str__(self) -> str:
        return self.filename


class ImportRow(models.Model):
    file = models.ForeignKey(ImportFile, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    data = models.JSONField("giá trị đọc được")
    warnings = models.JSONField("cảnh báo", default=list)
    exemplar = models.ForeignKey(Exemplar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["file_id", "position"]
        verbose_name = "dòng biểu mẫu"
        verbose_name_plural = "dòng biểu mẫu"

    def __str__(self) -> str:
        return str(self.data.get("name", ""))
