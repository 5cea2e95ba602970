from __future__ import annotations

from django import forms

from .selectors import KINDS, AuditFilter


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="Người thực hiện (tên đăng nhập)", required=False, max_length=150)
    date_from = forms.DateField(label="Từ ngày", required=False)
    date_to = forms.DateField(label="Đến ngày", required=False)
    kind = forms.ChoiceField(label="Loại đối tượng", required=False, choices=[("", "Tất cả"), *KINDS.items()])
    object_id = forms.IntegerField(label="Mã số đối tượng", required=False, min_value=1, max_value=2**62)

    def to_filter(self) -> AuditFilter:
        d = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(username=(d.get("username") or "").strip(), date_from=d.get("date_from"),
                           date_to=d.get("date_to"), kind=d.get("kind") or "", object_id=d.get("object_id"))
