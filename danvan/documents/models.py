"""What a unit's letters need beyond the tree: signer, copy list, how others address it."""

from __future__ import annotations

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


def defaults_for(unit: OrgUnit) -> LetterDefaults:
    found = LetterDefaults.objects.filter(unit=unit).first()
    return found or LetterDefaults(unit=unit)
