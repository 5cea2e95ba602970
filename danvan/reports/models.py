"""Annual reports (seed 004, DOMAIN.md §6): the narrative people write and the exemplars they introduce.

The numbers of section 3.3 and the appendix are never stored: `reports.stats` computes them from the
data each time, so a report always agrees with the registrations, recognitions and replicas behind it.
The one derived table, `SubtreeTally`, is a counter kept in step with every exemplar save by
`reports.tally` (the national and provincial scopes read it instead of scanning a million rows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from danvan.exemplars.models import Exemplar, Field, Movement
from danvan.movement.models import Submission
from danvan.orgs.models import Level, OrgUnit

# Part I's outline (seed 004): key, heading. The narrative of each key is written by the unit's staff.
OUTLINE: list[tuple[str, str]] = [
    ("1", "1. Khái quát tình hình chung"),
    ("2.1", "Công tác phổ biến, quán triệt kế hoạch thực hiện phong trào"),
    ("2.2", "Việc cụ thể hóa của địa phương, đơn vị: xây dựng kế hoạch, chỉ đạo thực hiện"),
    ("2.3", "Công tác kiểm tra, đôn đốc việc tổ chức thực hiện"),
    ("3.1", "3.1. Sự phối hợp của các cấp, các ngành trong công tác tuyên truyền, nâng cao nhận thức về "
            "\"Dân vận khéo\"; triển khai tổ chức thực hiện"),
    ("3.2", "3.2. Kết quả thực hiện phong trào thi đua \"Dân vận khéo\" trên các lĩnh vực: phát triển kinh tế, "
            "văn hóa - xã hội, quốc phòng - an ninh, xây dựng hệ thống chính trị"),
    ("3.3", "3.3. Kết quả xây dựng, nhân rộng, công nhận các mô hình, điển hình \"Dân vận khéo\""),
    ("4.1", "Ưu điểm"),
    ("4.2", "Những khó khăn, hạn chế và nguyên nhân"),
    ("4.3", "Phương hướng và giải pháp thực hiện trong thời gian đến"),
    ("4.4", "Đề xuất, kiến nghị"),
]
SECTION_KEYS = [k for k, _ in OUTLINE]

# Part II: the six headings under which each typical exemplar is introduced (the name is the first).
INTRO_HEADINGS: list[tuple[str, str]] = [
    ("basis", "Cơ sở xây dựng"),
    ("scope", "Phạm vi tác động, ảnh hưởng"),
    ("method", "Phương thức triển khai"),
    ("effectiveness", "Hiệu quả trong quá trình thực hiện"),
    ("replication", "Các giải pháp nhân rộng mô hình, điển hình tiêu biểu"),
]


class AnnualReport(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="annual_reports",
                             verbose_name="đơn vị báo cáo")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, verbose_name="phong trào")
    year = models.PositiveSmallIntegerField("năm")
    # The report request (a round of kind "report") this report answers, when there is one.
    submission = models.OneToOneField(Submission, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="annual_report", verbose_name="theo yêu cầu báo cáo")
    sections = models.JSONField("nội dung các mục", default=dict, blank=True)
    number = models.CharField("số văn bản", max_length=50, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người lập")
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người sửa")

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = "báo cáo năm"
        verbose_name_plural = "báo cáo năm"
        constraints = [models.UniqueConstraint(fields=["unit", "movement", "year"], name="report_one_per_year")]

    def __str__(self) -> str:
        return f"Báo cáo năm {self.year} — {self.unit.name}"

    def section(self, key: str) -> str:
        return (self.sections or {}).get(key, "")


class Introduction(models.Model):
    """Part II: one typical exemplar introduced under the six headings."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="intros")
    exemplar = models.ForeignKey(Exemplar, on_delete=models.PROTECT, related_name="introductions",
                                 verbose_name="mô hình, điển hình")
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    basis = models.TextField("cơ sở xây dựng", blank=True)
    scope = models.TextField("phạm vi tác động, ảnh hưởng", blank=True)
    method = models.TextField("phương thức triển khai", blank=True)
    effectiveness = models.TextField("hiệu quả trong quá trình thực hiện", blank=True)
    replication = models.TextField("các giải pháp nhân rộng", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "mô hình giới thiệu"
        verbose_name_plural = "mô hình giới thiệu"
        constraints = [models.UniqueConstraint(fields=["report", "exemplar"], name="intro_once")]

    def __str__(self) -> str:
        return self.exemplar.name


class SubtreeTally(models.Model):
    """How many alive exemplars the subtree of `ancestor` holds per (movement, year, kind, origin, field, level of
    the registering unit), and how many of them are not built. Kept only for the top `DANVAN_TALLY_DEPTH` levels
    of the tree (the country, the provinces) by `reports.tally`; derived data, rebuilt by `danvan reindex`."""

    ancestor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    origin = models.CharField(max_length=12)
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField(default=0)
    not_built = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["ancestor", "movement", "year", "kind", "origin", "field", "level"], name="tally_key")]

    def __str__(self) -> str:
        return f"{self.ancestor_id}/{self.year}/{self.kind}/{self.origin}/{self.field_id}/{self.level_id}: {self.n}"
