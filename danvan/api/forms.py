from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone


class TokenForm(forms.Form):
    name = forms.CharField(label="Tên gợi nhớ của khóa", max_length=100,
                           help_text="Ví dụ: Phần mềm tổng hợp của Văn phòng Sở.")
    days = forms.IntegerField(label="Hết hạn sau (ngày)", min_value=1, max_value=3650, required=False,
                              help_text="Để trống nếu khóa không tự hết hạn.")

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("days")
        return timezone.now() + datetime.timedelta(days=days) if days else None
