from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from danvan.orgs import scoping
from danvan.orgs.models import Level

from . import services
from .forms import ExemplarForm
from .models import Exemplar, Field, Kind, Origin, Status
from .selectors import restorable_exemplars, sees_deleted, visible_exemplars


def _get_visible(request: HttpRequest, pk: int, include_deleted: bool = False) -> Exemplar:
    qs = visible_exemplars(request.user, include_deleted=include_deleted).select_related(
        "unit", "field__category", "movement", "source__unit", "created_by", "updated_by"
    )
    return get_object_or_404(qs, pk=pk)


@login_required
def exemplar_list(request: HttpRequest) -> HttpResponse:
    from danvan.search.services import hits, search

    base = visible_exemplars(request.user)
    qs, words = search(request.user, request.GET.get("q", ""), request.GET, base=base)
    page = Paginator(qs.select_related("unit", "field"), 25).get_page(request.GET.get("page"))
    page_hits = hits(page.object_list, words) if words else []
    units = scoping.visible_units(request.user).order_by("path")
    fields = Field.objects.filter(scoping.units_q(request.user, "owner__")).order_by("name")
    years = base.order_by("-year").values_list("year", flat=True).distinct()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "exemplars/list.html",
        {
            "page": page,
            "hits": page_hits,
            "words": words,
            "total": page.paginator.count,
            "levels": Level.objects.all(),
            "statuses": Status.choices,
            "units": units[:500],
            "fields": fields,
            "years": list(years),
            "kinds": Kind.choices,
            "origins": Origin.choices,
            "f": request.GET,
            "querystring": params.urlencode(),
            "can_create": scoping.editable_units(request.user).exists(),
        },
    )


@login_required
def exemplar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk, include_deleted=True)
    if not sees_deleted(request.user, ex):
        raise Http404
    history = ex.history.select_related("history_user").order_by("-history_date")[:50]
    changes = []
    for rec in history:
        prev = rec.prev_record
        diff = rec.diff_against(prev).changes if prev else []
        changes.append({"rec": rec, "diff": diff})
    replicas = visible_exemplars(request.user).filter(source=ex).select_related("unit")
    return render(
        request,
        "exemplars/detail.html",
        {
            "ex": ex,
            "changes": changes,
            "replicas": replicas,
            "can_edit": scoping.can_edit_unit(request.user, ex.unit) and not ex.is_deleted,
            "can_restore": ex.is_deleted,
        },
    )


def _save(request: HttpRequest, form: ExemplarForm, exemplar: Exemplar | None) -> HttpResponse | None:
    try:
        if exemplar is None:
            result = services.create_exemplar(by=request.user, **form.service_kwargs())
            messages.success(request, "Đã thêm mô hình, điển hình.")
        else:
            result = services.update_exemplar(
                exemplar=exemplar,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                **form.service_kwargs(),
            )
            messages.success(request, "Đã lưu thay đổi.")
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            form.add_error(None, exc.messages)
        return None
    for w in result.warnings:
        messages.warning(request, w)
    return redirect("exemplars:detail", pk=result.exemplar.pk)


@login_required
def exemplar_create(request: HttpRequest) -> HttpResponse:
    if not scoping.editable_units(request.user).exists():
        raise PermissionDenied("Bạn không có quyền thêm mô hình.")
    initial = {}
    if code := request.GET.get("unit"):
        unit = scoping.editable_units(request.user).filter(code=code).first()
        if unit:
            initial["unit"] = unit.pk
    form = ExemplarForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if (response := _save(request, form, None)) is not None:
            return response
    return render(request, "exemplars/form.html", {"form": form, "ex": None})


@login_required
def exemplar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk)
    if not scoping.can_edit_unit(request.user, ex.unit):
        raise Http404
    form = ExemplarForm(request.POST or None, user=request.user, initial=ExemplarForm.initial_from(ex))
    if request.method == "POST" and form.is_valid():
        if (response := _save(request, form, ex)) is not None:
            return response
    return render(request, "exemplars/form.html", {"form": form, "ex": ex})


@login_required
@require_POST
def exemplar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk)
    try:
        services.delete_exemplar(exemplar=ex, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, f"Đã xóa mô hình “{ex.name}”. Quản trị viên có thể khôi phục khi cần.")
    return redirect("exemplars:list")


@login_required
@require_POST
def exemplar_restore(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk, include_deleted=True)
    try:
        services.restore_exemplar(exemplar=ex, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, "Đã khôi phục mô hình.")
    return redirect("exemplars:detail", pk=ex.pk)


@login_required
def exemplar_trash(request: HttpRequest) -> HttpResponse:
    qs = restorable_exemplars(request.user).select_related("unit", "deleted_by")
    page = Paginator(qs.order_by("-deleted_at"), 25).get_page(request.GET.get("page"))
    return render(request, "exemplars/trash.html", {"page": page})


@login_required
def source_search(request: HttpRequest) -> HttpResponse:
    """htmx: pick the source of a replication among visible exemplars."""
    q = (request.GET.get("q") or "").strip()[:200]
    results = []
    if len(q) >= 2:
        results = list(
            visible_exemplars(request.user)
            .filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
            .select_related("unit")[:10]
        )
    return render(request, "exemplars/_source_results.html", {"results": results, "q": q})
