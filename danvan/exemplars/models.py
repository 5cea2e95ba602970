"""Movements, fields and exemplars ("mô hình, điển hình", DOMAIN.md §5, §8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from danvan.orgs.models import Level, OrgUnit


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
    """Where an exemplar is in its life after registration (DOMAIN.md §4 steps 5–7)."""

    REGISTERED = "registered", "Đã đăng ký"
    BUILDING = "building", "Đang xây dựng"
    ASSESSED = "assessed", "Đã đánh giá đạt"
    RECOGNIZED = "recognized", "Đã được công nhận"
    COMMENDED = "commended", "Đã được biểu dương, khen thưởng"
    NOT_ACHIEVED = "not_achieved", "Không đạt"
    STOPPED = "stopped", "Dừng thực hiện"


# "Built" in report section 3.3: the exemplar was carried out (whatever its result).
BUILT_STATUSES = (Status.BUILDING, Status.ASSESSED, Status.RECOGNIZED, Status.COMMENDED, Status.NOT_ACHIEVED)
# The only statuses an exemplar with a recognition or commendation can have: recording the first one moves the
# status here (lifecycle.recognize / commend, in the same transaction) and no transition leads back.
DECIDED_STATUSES = (Status.RECOGNIZED, Status.COMMENDED)


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
    status = FSMField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.REGISTERED, protected=False
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
            # The list's count, year choices and page order read only these columns of the alive exemplars:
            # an index-only scan instead of one heap page per exemplar (docs/SCALING.md, issue 8).
            models.Index(fields=["unit", "year", "field", "id"], condition=Q(deleted_at__isnull=True),
                         name="exemplar_alive_unit_year"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("pk")), name="exemplar_not_own_source"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    # Lifecycle transitions (django-fsm); `exemplars.lifecycle` checks rights and records them.
    @transition(field=status, source=Status.REGISTERED, target=Status.BUILDING)
    def start_building(self) -> None:
        pass

    @transition(field=status, source=Status.BUILDING, target=Status.ASSESSED)
    def assess_achieved(self) -> None:
        pass

    @transition(field=status, source=Status.BUILDING, target=Status.NOT_ACHIEVED)
    def assess_not_achieved(self) -> None:
        pass

    @transition(field=status, source=Status.ASSESSED, target=Status.RECOGNIZED)
    def recognize(self) -> None:
        pass

    @transition(field=status, source=[Status.ASSESSED, Status.RECOGNIZED], target=Status.COMMENDED)
    def commend(self) -> None:
        pass

    @transition(field=status, source=[Status.REGISTERED, Status.BUILDING], target=Status.STOPPED)
    def stop(self) -> None:
        pass


class LifecycleAction(models.TextChoices):
    START = "start", "Bắt đầu xây dựng"
    PROGRESS = "progress", "Cập nhật tiến độ"
    ASSESS = "assess", "Đánh giá kết quả"
    RECOGNIZE = "recognize", "Công nhận"
    COMMEND = "commend", "Biểu dương, khen thưởng"
    STOP = "stop", "Dừng thực hiện"
    PUBLISH = "publish", "Công khai"
    UNPUBLISH = "unpublish", "Thôi công khai"


class LifecycleEvent(models.Model):
    """One step of an exemplar's life, with who and when (the timeline of its page)."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("thao tác", max_length=20, choices=LifecycleAction.choices)
    from_status = models.CharField("từ trạng thái", max_length=20, choices=Status.choices)
    to_status = models.CharField("sang trạng thái", max_length=20, choices=Status.choices)
    comment = models.TextField("ghi chú", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                           verbose_name="người thực hiện")
    # The day it happened (an assessment held last week, a decision of last year), apart from when it was typed.
    happened_on = models.DateField("ngày", null=True, blank=True)
    at = models.DateTimeField("ghi lúc", auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "bước trong quá trình xây dựng"
        verbose_name_plural = "quá trình xây dựng"

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.exemplar_id}"


class ProgressUpdate(models.Model):
    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField("ngày")
    text = models.TextField("nội dung cập nhật")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người cập nhật")
    created_at = models.DateTimeField("cập nhật lúc", auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "cập nhật tiến độ"
        verbose_name_plural = "cập nhật tiến độ"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.text[:60]}"


class Evidence(models.Model):
    """A file proving progress (image, PDF, Word); served only after the scope check."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("tệp minh chứng", upload_to="evidence/%Y/")
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"

    def __str__(self) -> str:
        return self.original_name


class Recognition(models.Model):
    """Công nhận: a unit (usually a Board) recognizes the exemplar at its level, by decision."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.PROTECT, related_name="recognitions")
    by_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="recognitions_given",
                                verbose_name="đơn vị công nhận")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name="cấp công nhận")
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định", db_index=True)
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người ghi nhận")
    created_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)
    # The recognizing body's choice to show the exemplar on the public showcase (/cong-khai/), and who
    # made the last choice (publish or withdraw) and when.
    published = models.BooleanField("công khai", default=False, db_index=True)
    published_at = models.DateTimeField("quyết định công khai lúc", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="người quyết định công khai")

    class Meta:
        ordering = ["decision_date", "pk"]
        verbose_name = "công nhận"
        verbose_name_plural = "các quyết định công nhận"

    def __str__(self) -> str:
        return f"{self.decision_number} ngày {self.decision_date:%d/%m/%Y} của {self.by_unit}"


class CommendationForm(models.TextChoices):
    PRAISE = "praise", "Biểu dương"
    CERTIFICATE = "certificate", "Giấy khen"
    MERIT = "merit", "Bằng khen"


class Commendation(models.Model):
    """Biểu dương, khen thưởng (giấy khen, bằng khen) with the decision that grants it."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.PROTECT, related_name="commendations")
    by_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="commendations_given",
                                verbose_name="đơn vị khen thưởng")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name="cấp khen thưởng")
    form = models.CharField("hình thức", max_length=20, choices=CommendationForm.choices)
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định", db_index=True)
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người ghi nhận")
    created_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)

    class Meta:
        ordering = ["decision_date", "pk"]
        verbose_name = "biểu dương, khen thưởng"
        verbose_name_plural = "biểu dương, khen thưởng"

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"
