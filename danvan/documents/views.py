from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from multidb import db_write

from danvan.foundation import downloads
from danvan.foundation.actions import run_action
from danvan.foundation.params import query_ints
from danvan.movement import selectors as round_selectors
from danvan.orgs import permissions

from . import register, services
from .models import GeneratedDocument, LetterDefaults, OutgoingEntry, defaults_for


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


# ---------------------------------------------------------------- the outgoing register (issue 19 §1)

@login_required
@require_POST
def submission_number(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(round_selectors.visible_submissions(request.user).select_related("round", "unit"), pk=pk)
    version = query_ints([request.POST.get("version", "")])
    run_action(request, lambda: register.issue_registration(submission=sub, by=request.user,
                                                            expected_version=version[0] if version else None),
               lambda e: f"Đã cấp số {e.code} ngày {e.issued_on:%d/%m/%Y}; đã báo lãnh đạo đơn vị ký và gửi.",
               visible=lambda: True)
    return redirect("movement:submission", pk=sub.pk)


def _register_unit(request: HttpRequest, code: str):
    if (unit := register.readable_unit(request.user, code)) is None:
        raise Http404
    return unit


def _year(request: HttpRequest) -> int:
    years = query_ints([request.GET.get("nam", "")])
    return years[0] if years and 2000 <= years[0] <= 2100 else timezone.localdate().year


@login_required
def outgoing_register(request: HttpRequest, code: str) -> HttpResponse:
    unit = _register_unit(request, code)
    year = _year(request)
    entries = register.register(unit, year)
    return render(request, "documents/register.html", {
        "unit": unit, "year": year, "entries": entries,
        "years": sorted({year, timezone.localdate().year, *register.register_years(unit)}, reverse=True),
        "keeper": permissions.can_keep_register(request.user, unit),
        "issued": sum(1 for e in entries if not e.withdrawn), "withdrawn": sum(1 for e in entries if e.withdrawn),
    })


@login_required
def outgoing_register_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    unit = _register_unit(request, code)
    year = _year(request)
    return downloads.data_response(register.register_xlsx(unit, year), f"so-van-ban-di-{unit.code}-{year}.xlsx",
                                   services.MIME["xlsx"])


def _entry(request: HttpRequest, pk: int) -> OutgoingEntry:
    if (entry := register.readable_entry(request.user, pk)) is None:
        raise Http404
    return entry


@login_required
def outgoing_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    entry = _entry(request, pk)
    if not entry.file:
        raise Http404
    return downloads.file_response(entry.file.open("rb"), (entry.file.name or "").rsplit("/", 1)[-1], services.MIME["docx"])


@login_required
@require_POST
def outgoing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    run_action(request, lambda: register.withdraw(entry=entry, by=request.user, reason=request.POST.get("reason", "")),
               lambda e: f"Đã thu hồi số {e.code}; số này không được cấp lại.", visible=lambda: True)
    return redirect(f"{reverse('documents:register', args=[entry.unit.code])}?nam={entry.year}")
