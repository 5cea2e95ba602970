"""Registration rounds, submissions, their timeline and reminders (DOMAIN.md §4 steps 1–4).

A round is launched by an issuer to target units; a target may relay it to its own
units as a derived round (same `root`). Every target gets one Submission at launch,
so completeness is a GROUP BY over submissions of a round family.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from danvan.exemplars.models import Exemplar, Movement
from danvan.orgs.models import Level, OrgUnit, UnitKind


class TargetMode(models.TextChoices):
    CHILDREN = "children", "Các đơn vị trực thuộc"
    SUBTREE = "subtree", "Toàn bộ đơn vị cấp dưới (có thể lọc theo cấp, loại)"
    CHOSEN = "chosen", "Các đơn vị được chọn"


class RoundKind(models.TextChoices):
    REGISTRATION = "registration", "Đăng ký mô hình, điển hình"
    REPORT = "report", "Yêu cầu báo cáo"


class RegistrationRound(models.Model):
    """A request sent down the tree with a deadline: a registration round, or a report request (seed 004).

    Both kinds share targets, relays, submissions, completeness and reminders: one mechanism.
    """

    kind = models.CharField("loại", max_length=12, choices=RoundKind.choices, default=RoundKind.REGISTRATION)
    # Report requests: how many typical exemplars each kind of addressee introduces ({UnitKind.code: n}).
    intro_quota = models.JSONField("số mô hình giới thiệu theo loại đơn vị", default=dict, blank=True)
    issuer = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="rounds_issued",
                               verbose_name="đơn vị phát động")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, verbose_name="phong trào")
    year = models.PositiveSmallIntegerField("năm")
    title = models.CharField("tiêu đề", max_length=300)
    guidance = models.TextField("căn cứ (kế hoạch, hướng dẫn)", blank=True,
                                help_text="Ví dụ: Hướng dẫn số 08-HD/BDVTU ngày 19/4/2021 của Ban Dân vận Tỉnh ủy.")
    instructions = models.TextField("nội dung yêu cầu", blank=True)
    deadline = models.DateTimeField("hạn gửi")
    min_total = models.PositiveSmallIntegerField("tối thiểu số mô hình mỗi đơn vị", default=1)
    min_collective = models.PositiveSmallIntegerField("tối thiểu mô hình tập thể", default=0)
    min_individual = models.PositiveSmallIntegerField("tối thiểu mô hình cá nhân", default=0)
    target_mode = models.CharField("đối tượng", max_length=10, choices=TargetMode.choices,
                                   default=TargetMode.CHILDREN)
    target_levels = models.ManyToManyField(Level, blank=True, verbose_name="chỉ các cấp")
    target_kinds = models.ManyToManyField(UnitKind, blank=True, verbose_name="chỉ các loại")
    parent_round = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="relays", verbose_name="chuyển tiếp từ đợt")
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="family", verbose_name="đợt gốc")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="người phát động")
    # Optimistic locking of the issuer's edit (`services.edit_round`): every edit door sends the version it read.
    version = models.PositiveIntegerField("phiên bản", default=1)

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = "đợt đăng ký"
        verbose_name_plural = "các đợt đăng ký"
        constraints = [
            models.UniqueConstraint(fields=["parent_round", "issuer"], name="round_one_relay_per_unit",
                                    condition=Q(parent_round__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer.name})"

    @property
    def family_root(self) -> RegistrationRound:
        """The launch this round's family started from: itself for a launch (no query), else `root`."""
        if self.root_id is None or self.root_id == self.pk:
            return self
        return self.root  # type: ignore[return-value]

    @property
    def is_report(self) -> bool:
        return self.kind == RoundKind.REPORT

    def intro_quota_for(self, unit: OrgUnit) -> int | None:
        value = (self.intro_quota or {}).get(unit.kind.code)
        return int(value) if value is not None else None

    def quota_text(self) -> str:
        if self.is_report:
            return "Báo cáo kết quả năm, phụ lục số liệu và giới thiệu mô hình, điển hình tiêu biểu"
        parts = [f"tối thiểu {self.min_total:02d} mô hình, điển hình"]
        if self.min_collective or self.min_individual:
            parts.append(f"({self.min_collective:02d} tập thể, {self.min_individual:02d} cá nhân)")
        return " ".join(parts)


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa bắt đầu"
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Đã gửi"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã tiếp nhận"


SENT_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)


class Submission(models.Model):
    """One target unit's registration in one round (the dossier of seed 003)."""

    round = models.ForeignKey(RegistrationRound, on_delete=models.CASCADE, related_name="submissions",
                              verbose_name="đợt đăng ký")
    root = models.ForeignKey(RegistrationRound, on_delete=models.CASCADE, related_name="+",
                             verbose_name="đợt gốc")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="submissions",
                             verbose_name="đơn vị")
    # Copied at launch so completeness is one indexed prefix scan per family.
    unit_path = models.CharField(max_length=255)
    status = FSMField("trạng thái", default=Status.NOT_STARTED, choices=Status.choices, protected=False)
    version = models.PositiveIntegerField(default=1)
    exemplars = models.ManyToManyField(Exemplar, through="SubmissionItem", related_name="submissions",
                                       through_fields=("submission", "exemplar"))
    n_total = models.PositiveIntegerField("số mô hình", default=0)
    n_collective = models.PositiveIntegerField("tập thể", default=0)
    n_individual = models.PositiveIntegerField("cá nhân", default=0)
    below_quota = models.BooleanField("chưa đủ chỉ tiêu", default=True)
    is_late = models.BooleanField("gửi muộn", default=False)
    on_behalf = models.BooleanField("cấp trên nhập thay", default=False)
    launch_content = models.TextField("nội dung phát động của đơn vị", blank=True)
    letter_file = models.FileField("công văn đăng ký", upload_to="dossiers/%Y/", blank=True)
    launch_file = models.FileField("tệp nội dung phát động", upload_to="dossiers/%Y/", blank=True)
    signed_scan = models.FileField("bản ký, đóng dấu", upload_to="dossiers/%Y/", blank=True)
    signed_number = models.CharField("số văn bản", max_length=50, blank=True)
    signed_date = models.DateField("ngày văn bản", null=True, blank=True)
    # A later deadline the issuer gave this unit alone (services.extend_deadline); lateness is measured against it.
    extended_until = models.DateTimeField("gia hạn đến", null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name="người gửi")
    # The officer hands the dossier to the unit's leader ("trình lãnh đạo"); it waits for approval while editable
    # and not reviewed since (`awaiting_approval`).
    approval_requested_at = models.DateTimeField("trình lãnh đạo lúc", null=True, blank=True)
    approval_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                              blank=True, related_name="+", verbose_name="người trình")
    reviewed_at = models.DateTimeField("xử lý lúc", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name="người xử lý")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_path"]
        verbose_name = "hồ sơ đăng ký"
        verbose_name_plural = "hồ sơ đăng ký"
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="submission_one_per_unit")]
        indexes = [
            models.Index(fields=["root", "unit_path"], name="submission_family_path",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} — {self.round.title}"

    # Transitions (django-fsm): the services check rights, then call these.
    @transition(field=status, source=[Status.NOT_STARTED, Status.DRAFT, Status.RETURNED], target=Status.DRAFT)
    def edit(self) -> None:
        pass

    @transition(field=status, source=[Status.NOT_STARTED, Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=[Status.SUBMITTED, Status.ACCEPTED], target=Status.RETURNED)
    def send_back(self) -> None:
        pass

    @property
    def is_sent(self) -> bool:
        return self.status in SENT_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)

    @property
    def awaiting_approval(self) -> bool:
        """Handed to the leader and not sent or returned since."""
        asked = self.approval_requested_at
        return bool(asked and self.is_editable and (self.reviewed_at is None or asked > self.reviewed_at))

    @property
    def effective_deadline(self):
        return self.extended_until or self.round.deadline

    def next_step(self) -> str:
        """Who must act next on the dossier, in the words of the office."""
        issuer = self.round.issuer.name
        if self.status == Status.SUBMITTED:
            return f"Chờ {issuer} tiếp nhận hoặc trả lại."
        if self.status == Status.ACCEPTED:
            return f"{issuer} đã tiếp nhận; không cần thao tác thêm."
        if self.status == Status.RETURNED:
            return "Chờ đơn vị sửa theo ý kiến trả lại, rồi lãnh đạo đơn vị phê duyệt và gửi lại."
        if self.round.is_report:
            return "Chờ đơn vị lập báo cáo, rồi lãnh đạo đơn vị phê duyệt và gửi."
        if self.below_quota:
            return "Chờ đơn vị thêm đủ mô hình theo chỉ tiêu, rồi lãnh đạo đơn vị phê duyệt và gửi."
        return "Chờ lãnh đạo đơn vị phê duyệt và gửi."

    def display_status(self) -> str:
        if self.status == Status.SUBMITTED:
            return "Đã gửi, muộn hạn" if self.is_late else "Đã gửi đúng hạn"
        return self.get_status_display()


class SubmissionItem(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="items")
    exemplar = models.ForeignKey(Exemplar, on_delete=models.PROTECT, related_name="submission_items")
    # Set when the item came up from an accepted child submission (consolidation).
    via = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A model of an earlier year the unit keeps building, attached explicitly as such ("tiếp tục xây dựng"); every
    # other item is a model registered in the round's year (`services.attach_exemplars`).
    continued = models.BooleanField("tiếp tục xây dựng", default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mô hình trong hồ sơ"
        verbose_name_plural = "mô hình trong hồ sơ"
        constraints = [models.UniqueConstraint(fields=["submission", "exemplar"], name="item_once")]

    def __str__(self) -> str:
        return str(self.exemplar)


class Action(models.TextChoices):
    LAUNCH = "launch", "Phát động"
    RELAY = "relay", "Chuyển tiếp xuống đơn vị"
    ATTACH = "attach", "Thêm mô hình"
    CONTINUE = "continue", "Thêm mô hình tiếp tục xây dựng"
    DETACH = "detach", "Bỏ mô hình"
    DOSSIER = "dossier", "Cập nhật hồ sơ"
    REQUEST_APPROVAL = "request_approval", "Trình lãnh đạo phê duyệt"
    SUBMIT = "submit", "Gửi đăng ký"
    ACCEPT = "accept", "Tiếp nhận"
    RETURN = "return", "Trả lại"
    CONSOLIDATE = "consolidate", "Tổng hợp từ đơn vị cấp dưới"
    REMIND = "remind", "Nhắc nhở"
    EXTEND = "extend", "Gia hạn"
    CANCEL_RELAY = "cancel_relay", "Hủy chuyển tiếp"
    ROUND_EDIT = "round_edit", "Sửa đợt đăng ký"
    NUMBER = "number", "Cấp số văn bản đi"
    UNNUMBER = "unnumber", "Thu hồi số văn bản đi"


class SubmissionEvent(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("thao tác", max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name="người thực hiện")
    at = models.DateTimeField("lúc", auto_now_add=True)
    comment = models.TextField("ghi chú", blank=True)
    on_behalf = models.BooleanField("cấp trên thực hiện thay", default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "nhật ký hồ sơ"
        verbose_name_plural = "nhật ký hồ sơ"

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.submission}"


class MailStatus(models.TextChoices):
    NONE = "none", "Không gửi thư"
    PENDING = "pending", "Đang chờ gửi"
    DIGEST = "digest", "Chờ thư tổng hợp hằng ngày"
    SENT = "sent", "Đã gửi thư"
    FAILED = "failed", "Chưa gửi được thư"


class ReminderKind(models.TextChoices):
    MANUAL = "manual", "Nhắc thủ công"
    BEFORE = "before", "Tự động trước hạn"
    DUE_DAY = "due_day", "Tự động đúng ngày hạn"


class Reminder(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    # Automatic reminders are keyed ("before-3", "due") so a second scheduler run sends nothing twice.
    key = models.CharField(max_length=30, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    message = models.TextField(blank=True)
    recipients = models.TextField("gửi tới", blank=True)
    email_status = models.CharField("thư", max_length=10, choices=MailStatus.choices, default=MailStatus.NONE)
    emailed_at = models.DateTimeField("gửi thư lúc", null=True, blank=True)
    email_error = models.TextField("lỗi gửi thư", blank=True)
    # When the task worker tries a failed e-mail again (foundation/mailretry.py); empty once sent or out of attempts.
    email_retry_at = models.DateTimeField("tự gửi lại lúc", null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "lần nhắc nhở"
        verbose_name_plural = "các lần nhắc nhở"
        constraints = [
            models.UniqueConstraint(fields=["submission", "key"], condition=~Q(key=""), name="reminder_auto_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.submission.unit.name}"


class NotifyKind(models.TextChoices):
    """What a hand-off told the person (DOMAIN.md §4: launch, relay, submit, review, recognize)."""

    LAUNCH = "launch", "Đợt đăng ký mới"
    RELAY = "relay", "Đợt đăng ký được chuyển tiếp"
    REPORT_REQUEST = "report_request", "Yêu cầu báo cáo"
    APPROVAL = "approval", "Hồ sơ chờ phê duyệt"
    SUBMITTED = "submitted", "Hồ sơ gửi đến"
    ACCEPTED = "accepted", "Hồ sơ được tiếp nhận"
    RETURNED = "returned", "Hồ sơ bị trả lại"
    RECOGNITION = "recognition", "Mô hình được công nhận"
    COMMENDATION = "commendation", "Mô hình được biểu dương, khen thưởng"
    REMINDER = "reminder", "Nhắc nhở"
    NUMBERED = "numbered", "Văn bản được cấp số"
    OTHER = "other", "Thông báo"


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Gửi ngay mỗi khi có việc"
    DIGEST = "digest", "Một thư tổng hợp mỗi ngày"


class MailPreference(models.Model):
    """How a person wants hand-offs by e-mail; without a row, at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference")
    mode = models.CharField("nhận thư", max_length=10, choices=MailMode.choices, default=MailMode.IMMEDIATE)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "cách nhận thư"
        verbose_name_plural = "cách nhận thư"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_mode_display()}"


class Digest(models.Model):
    """One person's daily e-mail of the day's notifications; one per (user, day), so the scheduler sends it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField("ngày")
    email = models.EmailField("gửi tới", blank=True)
    count = models.PositiveIntegerField("số thông báo", default=0)
    status = models.CharField("tình trạng", max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    error = models.TextField("lỗi gửi thư", blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = "thư tổng hợp hằng ngày"
        verbose_name_plural = "thư tổng hợp hằng ngày"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} — {self.day:%d/%m/%Y}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("loại", max_length=20, choices=NotifyKind.choices, default=NotifyKind.OTHER)
    text = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    # Who made the hand-off and about what: the page where it was made shows an e-mail that failed, to resend it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="người thực hiện")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField("thư", max_length=10, choices=MailStatus.choices, default=MailStatus.NONE)
    emailed_at = models.DateTimeField("gửi thư lúc", null=True, blank=True)
    email_error = models.TextField("lỗi gửi thư", blank=True)
    digest = models.ForeignKey(Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        indexes = [models.Index(fields=["email_status", "user"], name="notification_mail_status")]

    def __str__(self) -> str:
        return self.text[:80]
