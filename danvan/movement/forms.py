from __future__ import annotations

import datetime
import re
from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone

from danvan.exemplars.models import Movement
from danvan.foundation.uploads import check_upload
from danvan.orgs.models import Level, OrgUnit, UnitKind

from .models import TargetMode

DT_FORMAT = "%d/%m/%Y %H:%M"


# A day alone, in any of the seeds' styles: "30/4/2023", "05/4/2021", "5/4/2021", "30-4-2023", "30.4.2023".
BARE_DAY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


class DeadlineField(forms.DateTimeField):
    """A deadline: "dd/mm/yyyy hh:mm", or a day alone, which ends at the end of that day (23:59), as in
    "trước ngày 05/4/2021": the units have that whole day."""

    def __init__(self, **kw):
        kw.setdefault("help_text", "Chỉ ghi ngày (như 30/4/2023) thì hạn là hết ngày đó (23:59).")
        kw.setdefault("widget", forms.DateTimeInput(format=DT_FORMAT, attrs={"placeholder": "dd/mm/yyyy hh:mm"}))
        super().__init__(input_formats=[DT_FORMAT, "%d/%m/%Y", "%Y-%m-%dT%H:%M"], **kw)

    def to_python(self, value):
        if isinstance(value, str) and (day := BARE_DAY.match(value)):
            d, m, y = (int(part) for part in day.groups())
            try:
                end = datetime.datetime(y, m, d, 23, 59)
            except ValueError:
                raise forms.ValidationError("Ngày không có thật: “%(value)s”.", code="invalid",
                                            params={"value": value.strip()}) from None
            return timezone.make_aware(end) if settings.USE_TZ else end
        return super().to_python(value)


class QuotaMixin(forms.Form):
    min_total = forms.IntegerField(label="Tối thiểu số mô hình mỗi đơn vị", min_value=0, max_value=100, initial=1)
    min_collective = forms.IntegerField(label="Trong đó tối thiểu mô hình tập thể", min_value=0, max_value=100,
                                        initial=0)
    min_individual = forms.IntegerField(label="Trong đó tối thiểu mô hình cá nhân", min_value=0, max_value=100,
                                        initial=0)


class LaunchForm(QuotaMixin):
    issuer = forms.ModelChoiceField(label="Đơn vị phát động", queryset=OrgUnit.objects.none(), empty_label=None)
    movement = forms.ModelChoiceField(label="Phong trào", queryset=Movement.objects.all(), empty_label=None)
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    title = forms.CharField(label="Tiêu đề", max_length=300)
    guidance = forms.CharField(label="Căn cứ (kế hoạch, hướng dẫn)", required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    instructions = forms.CharField(label="Nội dung yêu cầu", required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    deadline = DeadlineField(label="Hạn gửi (dd/mm/yyyy hh:mm)")
    target_mode = forms.ChoiceField(label="Đối tượng", choices=TargetMode.choices, initial=TargetMode.CHILDREN)
    target_units = forms.ModelMultipleChoiceField(label="Các đơn vị được chọn", required=False,
                                                  queryset=OrgUnit.objects.none(), error_messages={
        "invalid_choice": "Không giao được cho đơn vị đã chọn: đơn vị không có trong phạm vi của bạn, hoặc đã "
                          "hợp nhất, chia tách hay kết thúc hoạt động."})
    target_levels = forms.ModelMultipleChoiceField(label="Chỉ các cấp", required=False, queryset=Level.objects.all())
    target_kinds = forms.ModelMultipleChoiceField(label="Chỉ các loại đơn vị", required=False,
                                                  queryset=UnitKind.objects.all())

    def __init__(self, *args, issuers, **kw):
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["issuer"]).queryset = issuers
        paths = list(issuers.values_list("path", flat=True)[:50])
        q = OrgUnit.objects.none()
        for p in paths:
            q = q | OrgUnit.objects.filter(path__startswith=p, depth__lte=len(p) // OrgUnit.steplen + 2)
        # Merged, split and retired units are never offered as targets, and posting one is refused.
        cast(forms.ModelMultipleChoiceField, self.fields["target_units"]).queryset = q.filter(OrgUnit.active_q()).order_by("path")
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("movement", Movement.objects.order_by("-period_start").first())


class RelayForm(QuotaMixin):
    title = forms.CharField(label="Tiêu đề", max_length=300)
    guidance = forms.CharField(label="Căn cứ", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    instructions = forms.CharField(label="Nội dung yêu cầu các đơn vị trực thuộc", required=False,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    deadline = DeadlineField(label="Hạn nội bộ (dd/mm/yyyy hh:mm)")
    late_reason = forms.CharField(label="Lý do (chỉ khi hạn nội bộ muộn hơn hạn của cấp trên)", required=False,
                                  max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RoundEditForm(QuotaMixin):
    title = forms.CharField(label="Tiêu đề", max_length=300)
    guidance = forms.CharField(label="Căn cứ (kế hoạch, hướng dẫn)", required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    deadline = DeadlineField(label="Hạn gửi (dd/mm/yyyy hh:mm)")
    late_reason = forms.CharField(label="Lý do (chỉ khi hạn muộn hơn hạn của cấp trên)", required=False,
                                  max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    until = DeadlineField(label="Gia hạn đến (dd/mm/yyyy hh:mm)")
    reason = forms.CharField(label="Lý do gia hạn", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label="Lý do trả lại", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class DossierForm(forms.Form):
    launch_content = forms.CharField(label="Nội dung phát động của đơn vị", required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    letter_file = forms.FileField(label="Công văn đăng ký (tệp)", required=False)
    launch_file = forms.FileField(label="Tệp nội dung phát động", required=False)
    signed_scan = forms.FileField(label="Bản đã ký, đóng dấu (PDF/ảnh)", required=False)
    signed_number = forms.CharField(label="Số văn bản", required=False, max_length=50)
    signed_date = forms.DateField(label="Ngày văn bản (dd/mm/yyyy)", required=False, input_formats=["%d/%m/%Y"])
    version = forms.IntegerField(widget=forms.HiddenInput)

    MAX_BYTES = 20 * 1024 * 1024

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name in ("letter_file", "launch_file", "signed_scan"):
            f = data.get(name)
            if not f:
                continue
            if f.size > self.MAX_BYTES:
                self.add_error(name, "Tệp lớn hơn 20 MB.")
            elif problem := check_upload(f):
                self.add_error(name, problem)
        return data


def default_deadline(days: int = 14) -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=days)
