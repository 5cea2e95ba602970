from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from danvan.exemplars.models import FieldCategory
from danvan.exemplars.services import fields_for_unit
from danvan.foundation import downloads, uploads
from danvan.foundation.forms import MultipleFileField, MultipleFileInput
from danvan.foundation.params import query_int
from danvan.movement.selectors import visible_submissions
from danvan.orgs import permissions
from danvan.orgs.forms import UnitChoiceField
from danvan.orgs.permissions import Actor

from . import selectors, services
from .models import ImportBatch, ImportFile, ImportRow


class UploadForm(forms.Form):
    unit: forms.ModelChoiceField = UnitChoiceField(label="Đơn vị của biểu mẫu", queryset=None, empty_label=None)
    year = forms.IntegerField(label="Năm đăng ký", min_value=services.YEAR_MIN, max_value=services.YEAR_MAX)
    uploads = MultipleFileField(label="Tệp biểu mẫu (Word .docx hoặc Excel .xlsx; chọn được nhiều tệp)",
                              widget=MultipleFileInput(attrs={"accept": ".docx,.xlsx,.doc,.xls"}), required=False)

    def __init__(self, *args, user: Actor, **kw):
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = permissions.editable_units(user).order_by("path")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    sub = None
    if pk := request.GET.get("ho_so") or request.POST.get("ho_so"):
        sub = get_object_or_404(visible_submissions(request.user).select_related("round", "unit"),
                                pk=query_int(pk) or 0)
    initial = {"year": sub.round.year if sub else timezone.localdate().year, "unit": sub.unit_id if sub else None}
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["uploads"]
        if refused := uploads.refusal(request):  # a file past the limit, found while it streamed in
            form.add_error("uploads", refused)
        elif too_many := services.file_count_error(len(files)):
            form.add_error("uploads", too_many)
        else:
            unit = form.cleaned_data["unit"]
            target = sub if sub and sub.unit_id == unit.pk else None
            try:
                result = services.start_import(by=request.user, unit=unit, year=form.cleaned_data["year"],
                                               files=[(f.name, f) for f in files], submission=target)
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                for p in result.problems:
                    messages.error(request, f"{p.filename}: {p.message}")
                if result.batch:
                    messages.success(request, f"Đã đọc {result.rows} mô hình; hãy kiểm tra rồi xác nhận.")
                    return redirect("intake:preview", pk=result.batch.pk)
    return render(request, "intake/upload.html", {"form": form, "sub": sub})


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("unit", "submission__round"), pk=pk)
    if not permissions.can_edit_unit(request.user, batch.unit):
        raise Http404
    return batch


def _edits(request: HttpRequest, batch: ImportBatch) -> dict[int, dict]:
    edits: dict[int, dict] = {}
    for row in ImportRow.objects.filter(file__batch=batch):
        p = f"r{row.pk}-"
        edits[row.pk] = {
            "include": request.POST.get(p + "include") == "on",
            "name": request.POST.get(p + "name", "").strip()[:500],
            "field_id": request.POST.get(p + "field", ""),
            "kind": request.POST.get(p + "kind") or None,
            "origin": request.POST.get(p + "origin") or None,
            "address": request.POST.get(p + "address", "").strip()[:500],
            "content_problem": request.POST.get(p + "content_problem", ""),
            "content_actors": request.POST.get(p + "content_actors", ""),
            "content_results": request.POST.get(p + "content_results", ""),
            "source_id": request.POST.get(p + "source", ""),
        }
    return edits


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST" and batch.state == ImportBatch.State.PREVIEW:
        if "cancel" in request.POST:
            services.cancel_import(batch=batch, by=request.user)
            messages.success(request, "Đã hủy lần nhập; không có mô hình nào được lưu.")
            return redirect("exemplars:list")
        try:
            created = services.confirm_import(batch=batch, by=request.user, edits=_edits(request, batch))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, f"Đã nhập {len(created)} mô hình, điển hình.")
            if skipped := services.left_out(batch):
                messages.warning(request, services.left_out_summary(skipped))
            if batch.submission_id:
                return redirect("movement:submission", pk=batch.submission_id)
            return redirect(f"/mo-hinh/?unit={quote(batch.unit.code)}&year={batch.year}")
    elif request.method == "POST":
        messages.error(request, "Lần nhập này đã được xác nhận hoặc hủy; không lưu lại lần nữa.")
    files = list(batch.files.prefetch_related("rows"))
    _attach_similar(request, batch, files)
    return render(request, "intake/preview.html", {
        "batch": batch, "files": files, "fields": fields_for_unit(batch.unit).order_by("name"),
        "categories": FieldCategory.objects.all(), "editable": batch.state == ImportBatch.State.PREVIEW,
    })


def _attach_similar(request: HttpRequest, batch: ImportBatch, files: list) -> None:
    """The first rows get their similar exemplars in the page; the others load as they scroll into view."""
    n = 0
    for f in files:
        for row in f.rows.all():
            n += 1
            row.similar = (selectors.row_similar(request.user, batch, row) if n <= selectors.PREVIEW_SIMILAR_ROWS
                           else None)


@login_required
def row_similar_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the similar exemplars of one row of a preview (same access as the preview)."""
    row = get_object_or_404(ImportRow.objects.select_related("file__batch__unit"), pk=pk)
    batch = _batch(request, row.file.batch_id)
    return render(request, "intake/_row_similar.html", {"row": row, "similar": selectors.row_similar(request.user, batch, row)})


@login_required
def original(request: HttpRequest, pk: int) -> HttpResponseBase:
    f = get_object_or_404(ImportFile.objects.select_related("batch__unit"), pk=pk)
    # The original file is the import's working material: for those who may edit the batch's unit, not its viewers.
    if not permissions.can_edit_unit(request.user, f.batch.unit):
        raise Http404
    return downloads.file_response(f.file.open("rb"), f.filename)
