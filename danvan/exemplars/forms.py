from __future__ import annotations

import datetime
from typing import cast

from django import forms

from danvan.foundation.forms import MultipleFileField, MultipleFileInput
from danvan.foundation.html import html_to_editable
from danvan.orgs import permissions
from danvan.orgs.forms import UnitChoiceField
from danvan.orgs.models import OrgUnit
from danvan.orgs.permissions import Actor

from .models import CommendationForm, Exemplar, Field, Kind, Movement, Origin
from .selectors import visible_source

MAX_CONTENT = 20000


class ExemplarForm(forms.Form):
    """Laid out like the form's columns (DOMAIN.md §5); checkboxes mirror the X marks."""

    unit: forms.ModelChoiceField = UnitChoiceField(label="Đơn vị", queryset=None, empty_label=None)
    year = forms.IntegerField(label="Năm đăng ký", min_value=2000, max_value=2100)
    movement = forms.ModelChoiceField(label="Phong trào", queryset=Movement.objects.all(), empty_label=None)
    field: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Lĩnh vực", queryset=None, empty_label="— Chọn lĩnh vực —"
    )
    name = forms.CharField(label="Tên mô hình, điển hình", max_length=500)
    collective = forms.BooleanField(label="Mô hình tập thể", required=False)
    individual = forms.BooleanField(label="Mô hình cá nhân", required=False)
    address = forms.CharField(label="Địa chỉ", max_length=500, required=False)
    content_problem = forms.CharField(
        label="Nội dung cụ thể: mô hình giải quyết vấn đề gì, giải pháp",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_CONTENT,
    )
    content_actors = forms.CharField(
        label="Tổ chức, cá nhân thực hiện",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_CONTENT,
        required=False,
    )
    content_results = forms.CharField(
        label="Dự kiến kết quả mô hình đem lại",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_CONTENT,
        required=False,
    )
    new = forms.BooleanField(label="Xây dựng mới", required=False)
    replication = forms.BooleanField(label="Nhân rộng", required=False)
    source = forms.IntegerField(label="Nhân rộng từ mô hình", required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = permissions.editable_units(user).order_by("path")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        unit_paths = list(units.values_list("path", flat=True)[:2000])
        owner_paths: set[str] = set()
        for p in unit_paths:
            step = OrgUnit.steplen
            owner_paths.update(p[:i] for i in range(step, len(p) + 1, step))
        cast(forms.ModelChoiceField, self.fields["field"]).queryset = Field.objects.filter(
            owner__path__in=owner_paths).select_related("owner").order_by("owner__path", "name")
        if not self.is_bound:
            self._default_year_and_movement()

    def _default_year_and_movement(self) -> None:
        """A new form proposes a year and a movement that agree: this year's movement if there is one, else the
        latest movement with its last year (in a year between two periods the form is never wrong by default)."""
        year = self.initial.get("year") or datetime.date.today().year
        if "movement" in self.initial:
            self.initial.setdefault("year", year)
            return
        movements = list(Movement.objects.order_by("-period_start")[:50])
        covering = next((m for m in movements if m.covers(int(year))), None)
        if covering is None and movements and "year" not in self.initial:
            covering = movements[0]
            year = min(int(year), covering.period_end)
        self.initial.setdefault("year", year)
        if covering is not None:
            self.initial["movement"] = covering.pk

    def chosen_source(self) -> Exemplar | None:
        """The source already picked (the form came back with errors, or an edit): shown by its name."""
        value = self["source"].value()
        try:
            return visible_source(self.user, int(value)) if value else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        super().clean()
        data = self.cleaned_data
        collective, individual = data.get("collective"), data.get("individual")
        if collective and individual:
            self.add_error("collective", "Chỉ đánh dấu một hình thức: tập thể hoặc cá nhân.")
        elif not collective and not individual:
            self.add_error("collective", "Hãy đánh dấu hình thức: mô hình tập thể hoặc mô hình cá nhân.")
        new, replication = data.get("new"), data.get("replication")
        if new and replication:
            self.add_error("new", "Chỉ đánh dấu một trong hai: xây dựng mới hoặc nhân rộng.")
        elif not new and not replication:
            self.add_error("new", "Hãy đánh dấu mô hình là xây dựng mới hay nhân rộng.")
        source_id = data.get("source")
        if source_id:
            source = visible_source(self.user, source_id)
            if source is None:
                self.add_error("source", "Không tìm thấy mô hình nguồn trong phạm vi của bạn.")
            data["source_obj"] = source
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "unit": d["unit"],
            "year": d["year"],
            "movement": d["movement"],
            "field": d["field"],
            "name": d["name"],
            "kind": Kind.COLLECTIVE if d["collective"] else Kind.INDIVIDUAL,
            "address": d["address"],
            "content_problem": d["content_problem"],
            "content_actors": d["content_actors"],
            "content_results": d["content_results"],
            "origin": Origin.REPLICATION if d["replication"] else Origin.NEW,
            "source": d.get("source_obj") if d["replication"] else None,
        }

    @classmethod
    def initial_from(cls, ex: Exemplar) -> dict:
        return {
            "unit": ex.unit_id,
            "year": ex.year,
            "movement": ex.movement_id,
            "field": ex.field_id,
            "name": ex.name,
            "collective": ex.kind == Kind.COLLECTIVE,
            "individual": ex.kind == Kind.INDIVIDUAL,
            "address": ex.address,
            "content_problem": html_to_editable(ex.content_problem),
            "content_actors": html_to_editable(ex.content_actors),
            "content_results": html_to_editable(ex.content_results),
            "new": ex.origin == Origin.NEW,
            "replication": ex.origin == Origin.REPLICATION,
            "source": ex.source_id,
            "version": ex.version,
        }


# ---- lifecycle (exemplars.lifecycle) -------------------------------------------------------------

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgressForm(_Versioned):
    date = forms.DateField(label="Ngày (dd/mm/yyyy)", input_formats=DATE_FORMATS)
    text = forms.CharField(label="Đã thực hiện", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_CONTENT)
    uploads = MultipleFileField(
        label="Minh chứng (ảnh JPG/PNG, PDF, Word; tối đa 10 MB mỗi tệp)", required=False,
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx"}))


class AssessForm(_Versioned):
    achieved = forms.TypedChoiceField(label="Kết quả", coerce=lambda v: v == "1",
                                      choices=[("1", "Đạt"), ("0", "Không đạt")], widget=forms.RadioSelect)
    date = forms.DateField(label="Ngày đánh giá (dd/mm/yyyy)", input_formats=DATE_FORMATS, required=False,
                           help_text="Ngày cuộc đánh giá diễn ra; để trống là hôm nay.")
    comment = forms.CharField(label="Nhận xét", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=MAX_CONTENT)


class DecisionForm(_Versioned):
    by_unit: forms.ModelChoiceField = forms.ModelChoiceField(label="Đơn vị quyết định", queryset=None,
                                                             empty_label=None)
    decision_number = forms.CharField(label="Số quyết định", max_length=60)
    decision_date = forms.DateField(label="Ngày quyết định (dd/mm/yyyy)", input_formats=DATE_FORMATS)
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=MAX_CONTENT)

    def __init__(self, *args, units, **kw):
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField, self.fields["by_unit"])
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("depth")  # the highest body the user acts for comes first
        # The page already holds these units: the dropdown is drawn from them (no query per form); what is
        # posted is still checked against the queryset.
        field.widget.choices = [(u.pk, field.label_from_instance(u)) for u in sorted(units, key=lambda u: u.depth)]


class CommendForm(DecisionForm):
    form = forms.ChoiceField(label="Hình thức", choices=CommendationForm.choices)


class StopForm(_Versioned):
    reason = forms.CharField(label="Lý do dừng", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_CONTENT)
    date = forms.DateField(label="Ngày dừng (dd/mm/yyyy)", input_formats=DATE_FORMATS, required=False,
                           help_text="Để trống là hôm nay.")
