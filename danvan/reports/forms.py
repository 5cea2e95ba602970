from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.utils import timezone

from danvan.exemplars.models import Movement
from danvan.movement.forms import DT_FORMAT, DeadlineField
from danvan.orgs.models import OrgUnit, UnitKind

from .models import INTRO_HEADINGS, OUTLINE

MAX_TEXT = 50000
# Seed 004: departments and advisory bodies 1; Fatherland Front and political-social organisations 2;
# district-level party committees 2.
DEFAULT_QUOTA = {"ban-dang": 1, "so-nganh": 1, "mttq": 2, "huyen-uy": 2}
SEED004_INSTRUCTIONS = (
    "Báo cáo kết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm {year} theo đề cương (phần I), phụ lục số "
    "liệu và giới thiệu các mô hình, điển hình \"Dân vận khéo\" tiêu biểu đã được công nhận, biểu dương, khen "
    "thưởng ở cấp tỉnh, cấp huyện (phần II)."
)


class ReportRequestForm(forms.Form):
    """A report request (seed 004): a round of kind "report" with the introduction quota per kind of unit."""

    issuer = forms.ModelChoiceField(label="Đơn vị yêu cầu báo cáo", queryset=OrgUnit.objects.none(),
                                    empty_label=None)
    movement = forms.ModelChoiceField(label="Phong trào", queryset=Movement.objects.all(), empty_label=None)
    year = forms.IntegerField(label="Báo cáo năm", min_value=2000, max_value=2100)
    title = forms.CharField(label="Trích yếu", max_length=300)
    guidance = forms.CharField(label="Căn cứ (kế hoạch)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    instructions = forms.CharField(label="Nội dung yêu cầu", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = DeadlineField(label="Hạn gửi báo cáo (dd/mm/yyyy hh:mm)")

    def __init__(self, *args, issuers, **kw):
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["issuer"]).queryset = issuers
        self.kinds = list(UnitKind.objects.order_by("name"))
        for k in self.kinds:
            self.fields[f"quota_{k.code}"] = forms.IntegerField(
                label=k.name, min_value=0, max_value=20, required=False, initial=DEFAULT_QUOTA.get(k.code))
        if not self.is_bound:
            year = timezone.localdate().year
            movement = Movement.objects.order_by("-period_start").first()
            self.initial.setdefault("year", year)
            self.initial.setdefault("movement", movement)
            self.initial.setdefault("title", f"Báo cáo kết quả thực hiện phong trào thi đua \"Dân vận khéo\" năm "
                                             f"{year} và giới thiệu mô hình, điển hình \"Dân vận khéo\"")
            self.initial.setdefault("guidance", movement.plans if movement else "")
            self.initial.setdefault("instructions", SEED004_INSTRUCTIONS.format(year=year))
            self.initial.setdefault("deadline", (timezone.localtime() + datetime.timedelta(days=17))
                                    .replace(hour=17, minute=0).strftime(DT_FORMAT))

    def quota_fields(self):
        return [self[f"quota_{k.code}"] for k in self.kinds]

    def intro_quota(self) -> dict[str, int]:
        d = self.cleaned_data
        return {k.code: d[f"quota_{k.code}"] for k in self.kinds if d.get(f"quota_{k.code}") is not None}


class SectionsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label="Số báo cáo (để trống cho văn thư ghi khi ký)", required=False, max_length=50)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for key, label in OUTLINE:
            help_text = "Số liệu mục 3.3 do hệ thống tự tính; ở đây chỉ ghi thêm nhận xét (nếu có)." \
                if key == "3.3" else ""
            self.fields[f"s_{key}"] = forms.CharField(label=label, required=False, max_length=MAX_TEXT,
                                                      help_text=help_text,
                                                      widget=forms.Textarea(attrs={"rows": 4}))

    def section_fields(self):
        return [self[f"s_{key}"] for key, _ in OUTLINE]

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"s_{key}", "") for key, _ in OUTLINE}


class IntroForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    exemplar: forms.ModelChoiceField = forms.ModelChoiceField(label="Mô hình, điển hình", queryset=None,
                                                              required=False, empty_label="— Chọn mô hình —")

    def __init__(self, *args, exemplars=None, **kw):
        super().__init__(*args, **kw)
        if exemplars is None:
            del self.fields["exemplar"]
        else:
            cast(forms.ModelChoiceField, self.fields["exemplar"]).queryset = exemplars
            self.fields["exemplar"].required = True
        for key, label in INTRO_HEADINGS:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=MAX_TEXT,
                                               widget=forms.Textarea(attrs={"rows": 3}))

    def headings(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _ in INTRO_HEADINGS}
