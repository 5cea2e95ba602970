from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from danvan.foundation import held, uploads
from danvan.foundation.actions import posted_version, required_version, run_action
from danvan.foundation.params import query_int
from danvan.orgs import permissions
from danvan.orgs.permissions import Actor

from . import history, lifecycle, services
from .forms import AssessForm, CommendForm, DecisionForm, ExemplarForm, ProgressForm, StopForm
from .models import DECIDED_STATUSES, Evidence, Exemplar, Kind, Origin, Recognition, Status
from .selectors import (
    filter_choices,
    lineage,
    restorable_exemplars,
    sees_deleted,
    source_candidates,
    spread,
    tallied_years,
    visible_exemplars,
)


def _get_visible(request: HttpRequest, pk: int, include_deleted: bool = False) -> Exemplar:
    qs = visible_exemplars(request.user, include_deleted=include_deleted).select_related(
        "unit", "field__category", "movement", "source__unit"
    )
    return get_object_or_404(qs, pk=pk)


class _PageByIds:
    """A list's page in one query: its rows are picked by id in a subquery that sorts only the sort keys.

    The subquery reads the alive exemplars' index alone (`exemplar_alive_unit_year`); sorting whole rows read
    one heap page per exemplar of the scope (~70 ms for a province's 25,000, docs/SCALING.md).

    With the per-year counts of the kept tally (`selectors.tallied_years`: the country, a province) the total
    is their sum, and since the list is sorted newest year first, a page is read from the one or two years it
    falls in: the national list sorted all 1,000,000 rows for its first page (~300 ms)."""

    def __init__(self, qs: QuerySet[Exemplar], by_year: dict[int, int] | None = None):
        self._qs, self._by_year = qs, by_year

    def select_related(self, *fields: str) -> _PageByIds:
        return _PageByIds(self._qs.select_related(*fields), self._by_year)

    def count(self) -> int:
        return self._qs.count() if self._by_year is None else sum(self._by_year.values())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Exemplar]:
        return iter(self._qs)

    @staticmethod
    def _rows(qs: QuerySet[Exemplar], index: slice) -> list[Exemplar]:
        return list(qs.filter(pk__in=qs.values("pk")[index]))

    @overload
    def __getitem__(self, index: int) -> Exemplar: ...
    @overload
    def __getitem__(self, index: slice) -> list[Exemplar]: ...
    def __getitem__(self, index: int | slice) -> Exemplar | list[Exemplar]:
        if isinstance(index, int):
            return self._qs[index]
        if self._by_year is None or list(self._qs.query.order_by or Exemplar._meta.ordering or ())[:1] != ["-year"]:
            return self._rows(self._qs, index)
        start, stop = index.start or 0, index.stop
        out: list[Exemplar] = []
        seen = 0
        for year in sorted(self._by_year, reverse=True):
            n = self._by_year[year]
            if stop is not None and seen >= stop:
                break
            if start < seen + n:
                lo = max(0, start - seen)
                hi = n if stop is None else min(n, stop - seen)
                out += self._rows(self._qs.filter(year=year), slice(lo, hi))
            seen += n
        return out


# What a list row shows (exemplars/list.html without search words).
LIST_COLUMNS = ("name", "year", "kind", "origin", "unit", "unit__name", "unit__code", "field", "field__name")


@login_required
def exemplar_list(request: HttpRequest) -> HttpResponse:
    from danvan.reports import tally
    from danvan.search.services import hits, search

    base = visible_exemplars(request.user)
    found = search(request.user, request.GET.get("q", ""), request.GET, base=base, within_scope=True)
    qs, words = found.qs, found.words
    # Without search words a row shows only LIST_COLUMNS (no snippet from the content).
    rows = (_PageByIds(qs) if words else _PageByIds(qs.only(*LIST_COLUMNS), tallied_years(request.user, request.GET))
            ) if isinstance(qs, QuerySet) else qs
    page = Paginator(rows.select_related("unit", "field"), settings.DANVAN_LIST_PAGE_SIZE).get_page(
        request.GET.get("page"))
    page_hits = hits(page.object_list, words) if words else []
    # (value, label) pairs: the dropdown lists up to 500 units, and a model instance for each cost more than the page.
    choices = filter_choices(request.user)
    # The country's and a province's years come from the kept counts, a lower scope's from its own exemplars.
    years = tally.years(None if permissions.sees_everything(request.user) else permissions.visible_paths(request.user))
    if years is None:
        years = list(base.order_by("-year").values_list("year", flat=True).distinct())
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
            "capped": found.capped,
            "cap": found.cap,
            "levels": choices["levels"],
            "statuses": Status.choices,
            "units": choices["units"],
            "fields": choices["fields"],
            "years": [(y, y) for y in years],
            "kinds": Kind.choices,
            "origins": Origin.choices,
            "f": request.GET,
            "querystring": params.urlencode(),
            "can_create": permissions.edits_any_unit(request.user),
        },
    )


def _form_ids(name: str) -> str:
    """Each action form of the page names its inputs apart (several have a date and a version)."""
    return f"id_{name}_%s"


def _lifecycle_forms(request: HttpRequest, ex: Exemplar, bound: dict | None = None) -> dict:
    """The action forms the user may use on this exemplar now (a bound one keeps what was typed)."""
    user, v = request.user, {"version": ex.version}
    out: dict = {}
    if ex.is_deleted:
        return out
    today = timezone.localdate().strftime("%d/%m/%Y")
    if permissions.can_edit_unit(user, ex.unit) and ex.status in (Status.REGISTERED, Status.BUILDING):
        out["progress"] = ProgressForm(initial={**v, "date": today}, auto_id=_form_ids("progress"))
    if permissions.can_assess(user, ex.unit):
        if ex.status == Status.BUILDING:
            out["assess"] = AssessForm(initial={**v, "date": today}, auto_id=_form_ids("assess"))
        if ex.status in (Status.REGISTERED, Status.BUILDING):
            out["stop"] = StopForm(initial={**v, "date": today}, auto_id=_form_ids("stop"))
    decided = ex.status in (Status.ASSESSED, Status.RECOGNIZED, Status.COMMENDED)
    if decided and (units := lifecycle.deciding_units(user, ex)):
        out["recognize"] = DecisionForm(units=units, initial=v, auto_id=_form_ids("recognize"))
        out["commend"] = CommendForm(units=units, initial=v, auto_id=_form_ids("commend"))
    out.update(bound or {})
    return out


@login_required
def exemplar_detail(request: HttpRequest, pk: int, bound: dict | None = None) -> HttpResponse:
    from danvan.search.similar import detail_context

    ex = _get_visible(request, pk, include_deleted=True)
    if not sees_deleted(request.user, ex):
        raise Http404
    # One query for the timeline (each record compared with the next older one), one per related model named.
    changes = history.timeline(ex)
    sp = spread(ex, request.user)
    lin = lineage(ex, request.user)
    can_edit = permissions.can_edit_unit(request.user, ex.unit) and not ex.is_deleted
    lock = services.edit_lock(ex) if can_edit else None
    decided = ex.status in DECIDED_STATUSES  # otherwise there is no decision to read
    return render(
        request,
        "exemplars/detail.html",
        {
            "ex": ex,
            "changes": changes,
            "spread": sp,
            "source_link": _source_link(request.user, ex),
            "lineage": lin,
            "source_shown": bool(lin.chain) and lin.chain[-1].pk == ex.source_id,
            "events": ex.events.select_related("by").order_by("happened_on", "at", "pk"),
            "progress": ex.progress.prefetch_related("evidence").select_related("created_by"),
            "recognitions": _recognitions(request, ex) if decided else [],
            "commendations": ex.commendations.select_related("by_unit", "level") if decided else [],
            "forms": _lifecycle_forms(request, ex, bound),
            "can_edit": can_edit and not lock,
            "lock": lock if can_edit else None,
            "can_restore": ex.is_deleted,
            **detail_context(request.user, ex),
        },
        status=400 if bound else 200,
    )


def _recognitions(request: HttpRequest, ex: Exemplar) -> list[Recognition]:
    recs = list(ex.recognitions.select_related("by_unit", "level", "published_by"))
    for r in recs:
        r.can_publish = not ex.is_deleted and permissions.can_decide(request.user, r.by_unit)  # type: ignore[attr-defined]
    return recs


def _lifecycle_post(request: HttpRequest, pk: int, name: str, form_class, run) -> HttpResponse:
    """One door for every lifecycle step: validate the form, call the service, keep input on error."""
    ex = _get_visible(request, pk)
    kwargs = {"units": lifecycle.deciding_units(request.user, ex)} if name in ("recognize", "commend") else {}
    form = form_class(request.POST, request.FILES, auto_id=_form_ids(name), **kwargs)
    # Files attached to the last try that came back with an error (a browser never fills a file input again).
    token = request.POST.get("held") if "uploads" in form.fields else None
    kept = held.take(request, token)
    if refused := uploads.refusal(request):  # a file past the limit, found while it streamed in
        form.errors[NON_FIELD_ERRORS] = form.error_class([refused], error_class="nonfield")
    elif form.is_valid():
        if kept:
            form.cleaned_data["uploads"] = [*kept, *form.cleaned_data.get("uploads", [])]
        try:
            message = run(ex, form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            held.release(request, token)
            messages.success(request, message)
            return redirect("exemplars:detail", pk=ex.pk)
    if "uploads" in form.fields:
        # Keep what was attached: the files that would be accepted (a refused one is named in the error).
        attached = [*kept, *request.FILES.getlist("uploads")]
        held.release(request, token)
        form.held = held.hold(request, [f for f in attached if not lifecycle.check_evidence([f])])
    return exemplar_detail(request, pk, bound={name: form})


@login_required
@require_POST
def exemplar_progress(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ex, d):
        lifecycle.add_progress(exemplar=ex, by=request.user, date=d["date"], text=d["text"], files=d["uploads"],
                               expected_version=d["version"])
        return "Đã ghi cập nhật tiến độ."
    return _lifecycle_post(request, pk, "progress", ProgressForm, run)


@login_required
@require_POST
def exemplar_assess(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ex, d):
        ex = lifecycle.assess(exemplar=ex, by=request.user, achieved=d["achieved"], comment=d["comment"],
                              expected_version=d["version"], date=d.get("date"))
        return f"Đã đánh giá: {ex.get_status_display()}."
    return _lifecycle_post(request, pk, "assess", AssessForm, run)


@login_required
@require_POST
def exemplar_recognize(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ex, d):
        rec = lifecycle.recognize(exemplar=ex, by=request.user, by_unit=d["by_unit"],
                                  decision_number=d["decision_number"], decision_date=d["decision_date"],
                                  note=d["note"], expected_version=d["version"])
        return f"Đã ghi quyết định công nhận {rec}."
    return _lifecycle_post(request, pk, "recognize", DecisionForm, run)


@login_required
@require_POST
def exemplar_commend(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ex, d):
        com = lifecycle.commend(exemplar=ex, by=request.user, by_unit=d["by_unit"], form=d["form"],
                                decision_number=d["decision_number"], decision_date=d["decision_date"],
                                note=d["note"], expected_version=d["version"])
        return f"Đã ghi {com}."
    return _lifecycle_post(request, pk, "commend", CommendForm, run)


@login_required
@require_POST
def exemplar_stop(request: HttpRequest, pk: int) -> HttpResponse:
    def run(ex, d):
        lifecycle.stop(exemplar=ex, by=request.user, reason=d["reason"], expected_version=d["version"],
                       date=d.get("date"))
        return "Đã ghi nhận dừng thực hiện mô hình."
    return _lifecycle_post(request, pk, "stop", StopForm, run)


@login_required
@require_POST
def exemplar_publish(request: HttpRequest, pk: int, recognition_pk: int) -> HttpResponse:
    """The recognizing body publishes the exemplar on the public showcase, or withdraws it."""
    ex = _get_visible(request, pk)
    rec = get_object_or_404(Recognition, pk=recognition_pk, exemplar=ex)
    publish = request.POST.get("published") == "1"
    run_action(request, lambda: lifecycle.set_published(recognition=rec, by=request.user, published=publish,
                                                        expected_version=posted_version(request)),
               "Đã công khai mô hình trên trang Mô hình tiêu biểu; ai cũng xem được, không cần đăng nhập."
               if publish else "Đã thôi công khai mô hình.")
    return redirect("exemplars:detail", pk=ex.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """Evidence is served only here, after the scope check, always as a download."""
    from danvan.foundation.uploads import download

    ex = _get_visible(request, pk)
    ev = get_object_or_404(Evidence, pk=evidence_pk, update__exemplar=ex)
    return download(ev.file, ev.original_name)


def _save(request: HttpRequest, form: ExemplarForm, exemplar: Exemplar | None, dossier=None) -> HttpResponse | None:
    try:
        if exemplar is None and dossier is not None:
            # Registered from a dossier: created and attached together, or neither.
            from danvan.movement import services as rounds

            with transaction.atomic():
                result = services.create_exemplar(by=request.user, **form.service_kwargs())
                rounds.attach_exemplars(submission=dossier, exemplars=[result.exemplar], by=request.user)
            messages.success(request, f"Đã thêm mô hình, điển hình vào hồ sơ của {dossier.unit.name}.")
            for w in result.warnings:
                messages.warning(request, w)
            return redirect("movement:submission", pk=dossier.pk)
        if exemplar is None:
            result = services.create_exemplar(by=request.user, **form.service_kwargs())
            messages.success(request, "Đã thêm mô hình, điển hình.")
        else:
            result = services.update_exemplar(
                exemplar=exemplar,
                by=request.user,
                expected_version=required_version(form.cleaned_data.get("version")),
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


def _similar(request: HttpRequest, exclude: int | None) -> dict:
    """A form that comes back with errors still shows the similar exemplars of what was typed."""
    if request.method != "POST":
        return {}
    from danvan.search import similar

    return similar.draft_panel(request.user, request.POST, exclude)


@login_required
def exemplar_create(request: HttpRequest) -> HttpResponse:
    if not permissions.edits_any_unit(request.user):
        raise PermissionDenied("Bạn không có quyền thêm mô hình.")
    initial = {}
    if code := request.GET.get("unit"):
        unit = permissions.editable_units(request.user).filter(code=code).first()
        if unit:
            initial["unit"] = unit.pk
    dossier = _dossier(request)
    if dossier is not None:
        # A model registered in a round belongs to that round's unit, year and movement.
        initial.update(unit=dossier.unit_id, year=dossier.round.year, movement=dossier.round.movement_id)
    form = ExemplarForm(request.POST or None, user=request.user, initial=initial)
    if dossier is not None:
        for name in ("unit", "year", "movement"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        if (response := _save(request, form, None, dossier)) is not None:
            return response
    return render(request, "exemplars/form.html", {"form": form, "ex": None, "dossier": dossier,
                                                   **_similar(request, None)})


def _dossier(request: HttpRequest):
    """The dossier a new model is registered from (`?ho_so=`): one the user may still edit, else None."""
    from danvan.movement.selectors import visible_submissions

    pk = query_int(request.GET.get("ho_so"))
    if pk is None:
        return None
    sub = visible_submissions(request.user).select_related("round", "unit").filter(pk=pk).first()
    if sub is None or not sub.is_editable or not permissions.can_edit_unit(request.user, sub.unit):
        return None
    return sub


@login_required
def exemplar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk)
    if not permissions.can_edit_unit(request.user, ex.unit):
        raise Http404
    if lock := services.edit_lock(ex):
        messages.error(request, lock)
        return redirect("exemplars:detail", pk=ex.pk)
    form = ExemplarForm(request.POST or None, user=request.user, initial=ExemplarForm.initial_from(ex))
    if request.method == "POST" and form.is_valid():
        if (response := _save(request, form, ex)) is not None:
            return response
    return render(request, "exemplars/form.html", {"form": form, "ex": ex, **_similar(request, ex.pk)})


@login_required
@require_POST
def exemplar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ex = _get_visible(request, pk)
    try:
        services.delete_exemplar(exemplar=ex, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exemplars:detail", pk=ex.pk)
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


def _source_link(user: Actor, ex: Exemplar) -> str | None:
    """Where the source's name leads: its page if the user sees it, else its public showcase page if its
    recognition was published, else nowhere (a recognized model of another province is named, not opened)."""
    from .selectors import published_exemplars

    if ex.source_id is None:
        return None
    if visible_exemplars(user).filter(pk=ex.source_id).exists():
        return reverse("exemplars:detail", args=[ex.source_id])
    if published_exemplars().filter(pk=ex.source_id).exists():
        return reverse("showcase:detail", args=[ex.source_id])
    return None


@login_required
def source_search(request: HttpRequest) -> HttpResponse:
    """htmx: pick the source of a replication among visible exemplars."""
    from danvan.search.services import search

    # The form's search box is `source_q` (it must not collide with the form's own fields); `q` for links.
    q = (request.GET.get("source_q") or request.GET.get("q") or "").strip()[:200]
    results = []
    if len(q) >= 2:
        qs, words = search(request.user, q, base=source_candidates(request.user))
        results = list(qs.select_related("unit")[:10]) if words else []
    return render(request, "exemplars/_source_results.html", {"results": results, "q": q})
