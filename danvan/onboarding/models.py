"""Imports of a province's tree and people, and restructurings with their history (issue 10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from danvan.orgs.models import OrgUnit


class ImportKind(models.TextChoices):
    TREE = "tree", "Cây đơn vị"
    PEOPLE = "people", "Người dùng"
    PLAN = "plan", "Kế hoạch sắp xếp đơn vị"


class ImportRun(models.Model):
    """One uploaded file: kept until it is confirmed, so the confirmation re-checks exactly what was previewed."""

    kind = models.CharField("loại", max_length=10, choices=ImportKind.choices)
    filename = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    content = models.BinaryField("nội dung tệp")
    under = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="đơn vị gốc của phạm vi")
    # A reorganisation plan (issue 22 §2) is applied on one effective date, asked with the file.
    effective_on = models.DateField("ngày hiệu lực", null=True, blank=True)
    applied_at = models.DateTimeField("áp dụng lúc", null=True, blank=True)
    summary = models.JSONField("kết quả", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="người tải lên")
    created_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lần nhập tệp"
        verbose_name_plural = "các lần nhập tệp"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"


class SuccessionKind(models.TextChoices):
    MERGE = "merge", "Hợp nhất, sáp nhập"
    SPLIT = "split", "Chia tách"
    MOVE = "move", "Chuyển đơn vị cấp trên"
    RETIRE = "retire", "Giải thể, kết thúc hoạt động"


class UnitSuccession(models.Model):
    """A restructuring step: `predecessor` became (part of) `successor` on `date`.

    A move records the unit as both predecessor and successor, with the parent it left and the
    one it joined; a retirement has no successor.
    """

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions_out",
                                    verbose_name="đơn vị trước")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions_in",
                                  null=True, blank=True, verbose_name="đơn vị kế thừa")
    kind = models.CharField("hình thức", max_length=10, choices=SuccessionKind.choices)
    date = models.DateField("ngày hiệu lực")
    from_parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="cấp trên cũ")
    to_parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="cấp trên mới")
    note = models.TextField("ghi chú", blank=True)
    # The plan these steps were applied from, all at once (issue 22 §2); empty for a step made on the unit page.
    batch = models.ForeignKey(ImportRun, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="successions", verbose_name="kế hoạch sắp xếp")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="người thực hiện")
    created_at = models.DateTimeField("thực hiện lúc", auto_now_add=True)

    class Meta:
        verbose_name = "sắp xếp đơn vị"
        verbose_name_plural = "lịch sử sắp xếp đơn vị"
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.predecessor} → {self.successor or '—'} ({self.date})"


class UnitChange(models.Model):
    """A unit created or edited from the administration pages: who, when, which fields from what to what."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="changes", verbose_name="đơn vị")
    action = models.CharField("việc", max_length=10, choices=[("create", "Tạo mới"), ("update", "Sửa thông tin")])
    changes = models.JSONField("thay đổi", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="người thực hiện")
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thay đổi đơn vị"
        verbose_name_plural = "các thay đổi đơn vị"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.unit}"


class MailState(models.TextChoices):
    NONE = "", "chưa gửi thư nào"
    QUEUED = "queued", "đang chờ gửi"
    SENT = "sent", "đã gửi"
    FAILED = "failed", "chưa gửi được"


class AccountState(models.Model):
    """What the user row does not keep (issue 21 §3): a deactivation — by whom, when — and the generation every
    e-mailed link carries (a deactivation moves it, so no link made before works again), and what became of the
    last invitation or reset e-mail, so a page never says "sent" of a mail the server refused."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="account_state", verbose_name="tài khoản")
    generation = models.PositiveIntegerField("thế hệ liên kết", default=0)
    deactivated_at = models.DateTimeField("khóa lúc", null=True, blank=True)
    deactivated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name="người khóa")
    mail_kind = models.CharField("thư gần nhất", max_length=10, blank=True, default="")
    mail_state = models.CharField("tình trạng thư", max_length=10, choices=MailState.choices, blank=True, default="")
    mail_at = models.DateTimeField("lúc", null=True, blank=True)
    mail_error = models.CharField("lỗi gửi thư", max_length=300, blank=True, default="")
    # When the task worker tries a failed invitation again (foundation/mailretry.py); empty once sent or out of attempts.
    mail_retry_at = models.DateTimeField("tự gửi lại lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tình trạng tài khoản"
        verbose_name_plural = "tình trạng tài khoản"

    def __str__(self) -> str:
        return f"{self.user}: {'đã khóa' if self.deactivated_at else 'đang dùng'}"


class PasswordResetRequest(models.Model):
    """One accepted request of the "forgot password" page, counted per address entered and per client address
    (`accounts.reset_throttled`); whether the address belongs to an account is never recorded here."""

    email = models.CharField("thư điện tử đã nhập", max_length=254, db_index=True)
    ip_address = models.CharField("địa chỉ mạng", max_length=45, db_index=True)
    at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "yêu cầu đặt lại mật khẩu"
        verbose_name_plural = "yêu cầu đặt lại mật khẩu"

    def __str__(self) -> str:
        return f"{self.email} từ {self.ip_address}"
