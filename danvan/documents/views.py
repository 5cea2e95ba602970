from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from multidb import db_write

from danvan.movement import selectors as round_selectors
from danvan.movement import services as round_services
from danvan.orgs import scoping

from . import services
from .models import GeneratedDocument, JobStatus, LetterDefaults


def _download(request: HttpRequest, make, back: str) -> HttpResponse:
    try:
        doc = make()
    except services.DocumentError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    resp = HttpResponse(doc.data, content_type=doc.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return resp


@login_required
@db_write  # may queue a job and redirect to it: the job page must read the primary
def submission_document(request: HttpRequest, pk: int, which: str, fmt: str) -> HttpResponse:
    from .tasks import MAKERS, build_document

    sub = get_object_or_404(round_selectors.visible_submissions(request.user).select_related("round__issuer", "unit"),
                            pk=pk)
    if which not in MAKERS or fmt not in services.MIME:
        raise Http404
    if sub.items.count() >= settings.DANVAN_BACKGROUND_DOCUMENT_ITEMS:
        # Thousands of rows: built by the worker; the page shows progress and the link when ready.
        user = cast(User, request.user)  # login_required
        job = GeneratedDocument.objects.filter(
            submission=sub, which=which, fmt=fmt, requested_by_id=request.user.pk,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
        if job is None:
            job = GeneratedDocument.objects.create(submission=sub, which=which, fmt=fmt, requested_by=user,
                                                   stage="Đang chờ đến lượt")
            build_document.enqueue(job.pk)
        return redirect("documents:job", pk=job.pk)
    return _download(request, lambda: MAKERS[which](sub, fmt), f"/ho-so/{sub.pk}/")


def _job(request: HttpRequest, pk: int) -> GeneratedDocument:
    return get_object_or_404(GeneratedDocument.objects.select_related("submission__unit", "submission__round"),
                             pk=pk, requested_by_id=request.user.pk)


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    template = "documents/_job.html" if request.headers.get("HX-Request") else "documents/job.html"
    return render(request, template, {"job": job})


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=services.MIME[job.fmt])


@login_required
def round_document(request: HttpRequest, pk: int, which: str, fmt: str) -> HttpResponse:
    rnd = get_object_or_404(round_selectors.visible_rounds(request.user).select_related("issuer"), pk=pk)
    back = f"/dot-dang-ky/{rnd.pk}/"
    if which == "phat-dong":
        return _download(request, lambda: services.launch(rnd, fmt), back)
    if which == "don-doc":
        if not round_services.can_issue(request.user, rnd.issuer):
            raise Http404
        ids = [int(x) for x in request.GET.getlist("submission") if x.isdigit()]
        lagging = round_services.lagging(rnd).select_related("unit").order_by("unit_path")
        chosen = list(lagging.filter(pk__in=ids) if ids else lagging)
        if not chosen:
            messages.error(request, "Không có đơn vị nào chậm: mọi đơn vị đã gửi đăng ký.")
            return redirect(back)
        return _download(request, lambda: services.reminder(rnd, chosen, fmt), back)
    raise Http404


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
    unit = get_object_or_404(scoping.visible_units(request.user), code=code)
    if not round_services.can_issue(request.user, unit):
        raise Http404
    instance = LetterDefaults.objects.filter(unit=unit).first() or LetterDefaults(unit=unit)
    form = DefaultsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Đã lưu thông tin văn bản của đơn vị.")
        return redirect("documents:settings", code=unit.code)
    return render(request, "documents/settings.html", {"form": form, "unit": unit})
