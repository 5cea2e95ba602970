from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from danvan.movement import selectors as round_selectors
from danvan.movement import services as round_services
from danvan.orgs import scoping

from . import services
from .models import LetterDefaults


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
def submission_document(request: HttpRequest, pk: int, which: str, fmt: str) -> HttpResponse:
    sub = get_object_or_404(round_selectors.visible_submissions(request.user).select_related("round__issuer", "unit"),
                            pk=pk)
    makers = {"dang-ky": services.consolidated, "danh-sach": services.dossier_list}
    if which not in makers:
        raise Http404
    return _download(request, lambda: makers[which](sub, fmt), f"/ho-so/{sub.pk}/")


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
