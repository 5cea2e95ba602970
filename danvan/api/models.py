"""Per-user API tokens. Only a hash of the secret is stored; the secret is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    class Revoked(models.TextChoices):
        BY_OWNER = "", "do chủ khóa thu hồi"
        PASSWORD = "password", "khi đổi mật khẩu"
        DEACTIVATED = "deactivated", "khi tài khoản bị khóa"
        LOAD_TEST = "loadtest", "khi kết thúc tải thử"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="người dùng")
    name = models.CharField("tên gợi nhớ", max_length=100)
    # The first characters of the token, so a user can tell tokens apart without the secret.
    prefix = models.CharField("mã nhận diện", max_length=16)
    # SHA-256 of the whole token: the token is 256 random bits, so a slow hash adds nothing.
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("hết hạn", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_reason = models.CharField("lý do thu hồi", max_length=20, choices=Revoked.choices, default="",
                                      blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
