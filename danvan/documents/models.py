"""What a unit's letters need beyond the tree: signer, copy list, how others address it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from danvan.orgs.models import OrgUnit


class LetterDefaults(models.Model):
    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="letter_defaults",
                                verbose_name="đơn vị")
    address_name = models.CharField(
        "tên khi đơn vị khác gửi tới", max_length=255, blank=True,
        help_text="Ví dụ: Ban Dân vận Tỉnh ủy (dòng “Kính gửi”). Để trống thì dùng tên đầy đủ.")
    children_name = models.CharField(
        "cách gọi các đơn vị trực thuộc", max_length=255, blank=True,
        help_text="Ví dụ: Các phòng, đơn vị thuộc Sở.")
    authority = models.CharField(
        "thẩm quyền ký", max_length=5, blank=True,
        choices=[("", "Ký trực tiếp"), ("KT.", "KT. (ký thay)"), ("TM.", "TM. (thay mặt)"),
                 ("TL.", "TL. (thừa lệnh)")],
        help_text="Văn bản của Đảng tự in thành K/T, T/M, T/L.")
    authority_title = models.CharField("chức danh người đứng đầu", max_length=100, blank=True,
                                       help_text="Ví dụ: GIÁM ĐỐC, TRƯỞNG BAN.")
    signer_title = models.CharField("chức danh người ký", max_length=100, blank=True,
                                    help_text="Ví dụ: PHÓ GIÁM ĐỐC.")
    signer_name = models.CharField("họ tên người ký", max_length=100, blank=True)
    copies = models.TextField("nơi nhận thường dùng", blank=True,
                              help_text="Mỗi dòng một nơi nhận, không cần dấu “-” và “;”. Dòng cuối là nơi lưu.")
    soft_file_email = models.EmailField("e-mail nhận file mềm", blank=True)

    class Meta:
        verbose_name = "mặc định văn bản của đơn vị"
        verbose_name_plural = "mặc định văn bản của đơn vị"

    def __str__(self) -> str:
        return f"Văn bản của {self.unit}"

    def copy_lines(self) -> list[str]:
        # The letter builder normalises "- " and ";" itself.
        return [line.strip() for line in self.copies.splitlines() if line.strip()]


DEFAULT_COPIES = "Như trên\nLưu: VT."


def defaults_for(unit: OrgUnit) -> LetterDefaults:
    """The unit's letter settings; what it never set is proposed, so every unit's letter is complete: its
    leader (the unit's active "Lãnh đạo đơn vị" member, by the title on the membership) signs, and the copies
    are "Như trên" and "Lưu: VT.". The addressee of a letter is the unit it is sent to (its parent for a
    registration), by that unit's own "tên khi đơn vị khác gửi tới"."""
    found = LetterDefaults.objects.filter(unit=unit).first() or LetterDefaults(unit=unit)
    if not (found.signer_name or found.signer_title):
        leader = leader_of(unit)
        if leader is not None:
            found.signer_name = leader.user.get_full_name() or leader.user.get_username()
            found.signer_title = (leader.title or "Thủ trưởng đơn vị").upper()
    if not found.copies.strip():
        found.copies = DEFAULT_COPIES
    return found


def leader_of(unit: OrgUnit):
    """The unit's leader (the earliest active "leader" membership), or None."""
    from danvan.orgs.models import Membership, Role

    return (Membership.objects.filter(unit=unit, role=Role.LEADER, user__is_active=True)
            .select_related("user").order_by("pk").first())


def signer_missing(unit: OrgUnit) -> bool:
    """True when a letter of the unit would go out with nobody in its signature block."""
    d = defaults_for(unit)
    return not (d.signer_name.strip() and d.signer_title.strip())


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Lỗi"


class GeneratedDocument(models.Model):
    """A large download built by the task worker; the requester follows its progress and downloads it when ready."""

    submission = models.ForeignKey("movement.Submission", on_delete=models.CASCADE, related_name="+")
    which = models.CharField("văn bản", max_length=20)
    fmt = models.CharField("định dạng", max_length=5)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    stage = models.CharField("bước", max_length=120, blank=True)
    file = models.FileField(upload_to="generated/%Y/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written by the worker while it builds (tasks._Heartbeat): a running job without a recent one has lost its worker.
    heartbeat_at = models.DateTimeField("tín hiệu gần nhất", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "văn bản tạo nền"
        verbose_name_plural = "văn bản tạo nền"

    def __str__(self) -> str:
        return f"{self.which}.{self.fmt} — {self.get_status_display()}"


class OutgoingCounter(models.Model):
    """The last number a unit's outgoing register gave in a year; taken under a row lock, so two clerks issuing
    at the same instant get two numbers and a failed issuance (rolled back) consumes none."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    last = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm sổ văn bản đi"
        verbose_name_plural = "bộ đếm sổ văn bản đi"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="outgoing_counter_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}: {self.last}"


class OutgoingKind(models.TextChoices):
    REGISTRATION = "dang-ky", "Công văn đăng ký mô hình (kèm Biểu số 2)"
    LAUNCH = "phat-dong", "Công văn phát động đăng ký"
    REMINDER = "don-doc", "Công văn đôn đốc"
    REPORT = "bao-cao", "Báo cáo kết quả"


class OutgoingEntry(models.Model):
    """One line of a unit's outgoing register (sổ văn bản đi, Nghị định 30/2020 Điều 15–16): the number it gave,
    the code printed, the date, the subject, and the file as it was issued. A withdrawn number stays, marked."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="outgoing", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    code = models.CharField("số, ký hiệu", max_length=80)
    kind = models.CharField("loại văn bản", max_length=10, choices=OutgoingKind.choices)
    doc_type = models.CharField("loại (CV, BC…)", max_length=10, default="CV")
    issued_on = models.DateField("ngày văn bản")
    place = models.CharField("địa danh", max_length=100, blank=True)
    subject = models.CharField("trích yếu", max_length=300)
    recipients = models.CharField("nơi nhận", max_length=500, blank=True)
    submission = models.ForeignKey("movement.Submission", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="outgoing", verbose_name="hồ sơ")
    round = models.ForeignKey("movement.RegistrationRound", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="outgoing", verbose_name="đợt")
    file = models.FileField("tệp đã ban hành", upload_to="outgoing/%Y/", blank=True)
    sha256 = models.CharField("SHA-256 của tệp", max_length=64, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="người cấp số")
    issued_at = models.DateTimeField("cấp số lúc", auto_now_add=True)
    withdrawn_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="người thu hồi")
    withdraw_reason = models.CharField("lý do thu hồi", max_length=300, blank=True)

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "sổ văn bản đi"
        ordering = ["unit", "year", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "number"], name="outgoing_number_once")]

    def __str__(self) -> str:
        return f"{self.code} ngày {self.issued_on:%d/%m/%Y}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
