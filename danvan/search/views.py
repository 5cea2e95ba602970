"""Similar exemplars on the pages: the live panel of the form, the detail section and its two clicks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from danvan.exemplars.models import Exemplar
from danvan.exemplars.selectors import visible_exemplars
from danvan.foundation.actions import posted_version, run_action
from danvan.foundation.params import query_int

from . import similar
from .models import DuplicateFlag
from .similar import PANEL_LIMIT


def _int(value) -> int | None:
    return query_int(value)


@login_required
def detail_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the similar exemplars of an exemplar page (same scope as the page)."""
    from danvan.orgs import permissions

    ex = get_object_or_404(visible_exemplars(request.user).select_related("unit"), pk=pk)
    flagged = {f.other_id if f.exemplar_id == ex.pk else f.exemplar_id for f in similar.open_flags(ex)}
    return render(request, "search/_similar_table.html", {
        "ex": ex, "similar": similar.similar_to_exemplar(request.user, ex, limit=PANEL_LIMIT),
        "flagged_ids": flagged, "can_edit": permissions.can_edit_unit(request.user, ex.unit)})


@login_required
@require_POST
def draft_panel(request: HttpRequest) -> HttpResponse:
    """htmx: the exemplars like what is being typed in the form (name and content)."""
    ctx = similar.draft_panel(request.user, request.POST, _int(request.GET.get("exclude")), limit=PANEL_LIMIT)
    return render(request, "search/_similar_panel.html", {"results": ctx["similar"], "typed": ctx["typed"]})


def _pair(request: HttpRequest, pk: int, other_pk: int) -> tuple[Exemplar, Exemplar]:
    qs = visible_exemplars(request.user).select_related("unit")
    return get_object_or_404(qs, pk=pk), get_object_or_404(qs, pk=other_pk)


@login_required
@require_POST
def mark_replication(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    ex, source = _pair(request, pk, other_pk)
    run_action(request, lambda: similar.record_replication(exemplar=ex, source=source, by=request.user,
                                                           expected_version=posted_version(request)),
               f"Đã ghi nhận mô hình này nhân rộng từ mô hình “{source.name}” ({source.unit.name}).")
    return redirect("exemplars:detail", pk=ex.pk)


@login_required
@require_POST
def flag_duplicate(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    ex, other = _pair(request, pk, other_pk)
    run_action(request, lambda: similar.flag_duplicate(exemplar=ex, other=other, by=request.user),
               f"Đã đánh dấu có thể trùng với mô hình “{other.name}” ({other.unit.name}).")
    return redirect("exemplars:detail", pk=ex.pk)


@login_required
@require_POST
def dismiss_flag(request: HttpRequest, flag_pk: int) -> HttpResponse:
    visible = visible_exemplars(request.user)
    flag = get_object_or_404(DuplicateFlag.objects.select_related("exemplar__unit", "other__unit").filter(
        Q(exemplar__in=visible) & Q(other__in=visible)), pk=flag_pk)
    back = _int(request.POST.get("back"))
    back = back if back in (flag.exemplar_id, flag.other_id) else flag.exemplar_id
    run_action(request, lambda: similar.dismiss_flag(flag=flag, by=request.user), "Đã bỏ đánh dấu có thể trùng.")
    return redirect("exemplars:detail", pk=back)

