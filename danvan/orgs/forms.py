"""Form fields shared by every door that picks a unit."""

from __future__ import annotations

from django import forms


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker whose merged, split or retired units say so ("— đã kết thúc hoạt động từ 01/07/2025"),
    as every list marks them (issue 16 §8); targets leave them out altogether (`OrgUnit.active_q`)."""

    def label_from_instance(self, obj) -> str:
        label = super().label_from_instance(obj)
        if getattr(obj, "ended", False):
            return f"{label} — đã hợp nhất hoặc kết thúc hoạt động từ {obj.valid_to:%d/%m/%Y}"
        return label
