from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from multidb import db_write

from danvan.foundation import downloads
from danvan.foundation.params import query_ints
from danvan.movement import selectors as round_selectors
from danvan.orgs import permissions

from . import services
from .models import GeneratedDocument, LetterDefaults, defaults_for


def _file(doc: services.Rendered) -> HttpResponse:
    return downloads.data_response(doc.data, doc.filename, doc.content_type)


def _download(request: HttpRequest, make, back: str) -> HttpResponse:
    try:
        doc = make()
    except services.NoSuchDocument:
        raise Http404 from None
    except services.DocumentError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if isinstance(doc, GeneratedDocument):
        # Thousands of rows: built by the worker; the page shows progress and the link when ready.
        return redirect("documents:job", pk=doc.pk)
    return _file(doc)


@login_required
@db_write  # may queue a job and redirect to it: the job page must read the primary
def submission_document(request: HttpRequest, pk: int, which: str, fmt: str) -> HttpResponse:
    sub = get_object_or_404(round_selectors.visible_submissions(request.user).select_related("round__issuer", "unit"),
                            pk=pk)
    return _download(request, lambda: services.submission_document(request.user, sub, which, fmt), f"/ho-so/{sub.pk}/")


def _job(request: HttpRequest, pk: int) -> GeneratedDocument:
    try:
        return services.requester_job(request.user, pk)
    except services.NoSuchDocument:
        raise Http404 from None


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    template = "documents/_job.html" if request.headers.get("HX-Request") else "documents/job.html"
    return render(request, template, {"job": job})


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job(request, pk)
    if not services.job_ready(job):
        raise Http404
    return downloads.file_response(job.file.open("rb"), job.filename, services.MIME[job.fmt])


@login_required
def round_document(request: HttpRequest, pk: int, which: str, fmt: str) -> HttpResponse:
    rnd = get_object_or_404(round_selectors.visible_rounds(request.user).select_related("issuer"), pk=pk)
    ids = query_ints(request.GET.getlist("submission"))
    return _download(request, lambda: services.round_document(request.user, rnd, which, fmt, ids),
                     f"/dot-dang-ky/{rnd.pk}/")


@login_required
def blank_form(request: HttpRequest, fmt: str) -> HttpResponse:
    return _download(request, lambda: services.blank(fmt), "/dot-dang-ky/")


class DefaultsForm(forms.ModelForm):
    class Meta:
        model = LetterDefaults
        fields = ["address_name", "children_name", "authority", "authority_title", "signer_title", "signer_name",
                  "copies", "soft_file_email"]
        widgets = {"copies": forms.Textarea(attrs={"rows": 6})}


@login_required
def letter_settings(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(permissions.visible_units(request.user), code=code)
    if not permissions.can_edit_letter_settings(request.user, unit):
        raise Http404
    # What the unit never set comes pre-filled with the proposed defaults (its leader signs, "Lưu: VT.").
    instance = LetterDefaults.objects.filter(unit=unit).first() or LetterDefaults(unit=unit)
    proposed = defaults_for(unit)
    initial = {name: getattr(proposed, name) for name in ("signer_name", "signer_title", "copies")
               if not getattr(instance, name)}
    form = DefaultsForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Đã lưu thông tin văn bản của đơn vị.")
        return redirect("documents:settings", code=unit.code)
    return render(request, "documents/settings.html", {"form": form, "unit": unit})
