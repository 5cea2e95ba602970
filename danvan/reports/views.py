from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from danvan.documents.services import DocumentError, NoSuchDocument
from danvan.exemplars.models import Movement
from danvan.foundation import downloads
from danvan.foundation.actions import posted_version, run_action
from danvan.foundation.params import query_int
from danvan.movement import services as movement_services
from danvan.movement.models import RoundKind, Submission
from danvan.movement.selectors import visible_rounds
from danvan.orgs import codes, permissions, tree
from danvan.orgs.models import OrgUnit

from . import documents, services, stats
from .dashboard import MAX_YEAR, MIN_YEAR
from .forms import IntroForm, ReportRequestForm, SectionsForm
from .models import OUTLINE, AnnualReport, Introduction


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    unit = services.report_unit(request.user, code)
    if unit is None:
        raise Http404
    return unit


def _movement(request: HttpRequest, year: int | None = None) -> Movement:
    movement = services.report_movement(year, request.GET.get("phong_trao") or request.POST.get("phong_trao"))
    if movement is None:
        raise Http404("Không có phong trào nào trong năm này.")
    return movement


@login_required
def home(request: HttpRequest) -> HttpResponse:
    code, year = (request.GET.get("don_vi") or "").strip(), query_int(request.GET.get("nam"), minimum=MIN_YEAR,
                                                                        maximum=MAX_YEAR)
    if code and not codes.is_valid(code):
        messages.error(request, codes.code_error(code) or "")
    elif code and year is not None:
        return redirect("reports:annual", code=code, year=year)
    elif code:
        messages.error(request, "Năm báo cáo không hợp lệ.")
    requests = visible_rounds(request.user).filter(kind=RoundKind.REPORT, parent_round__isnull=True).select_related(
        "issuer").order_by("-year", "-deadline")
    mine = [m.unit for m in permissions.memberships(request.user)]
    if permissions.sees_everything(request.user):
        mine = list(OrgUnit.objects.filter(depth=1))
    reports = AnnualReport.objects.filter(permissions.units_q(request.user, "unit__")).select_related(
        "unit", "submission").order_by("-year", "unit__path")[:100]
    year = timezone.localdate().year
    return render(request, "reports/home.html", {
        "requests": requests[:50], "reports": reports, "units": mine, "year": year,
        "movements": Movement.objects.order_by("-period_start"),
        "can_request": permissions.issuer_units(request.user).exists(),
    })


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    issuers = permissions.issuer_units(request.user)
    if not issuers.exists():
        raise PermissionDenied("Bạn không có quyền gửi yêu cầu báo cáo.")
    form = ReportRequestForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = movement_services.launch_round(
                issuer=d["issuer"], by=request.user, movement=d["movement"], year=d["year"], title=d["title"],
                guidance=d["guidance"], instructions=d["instructions"], deadline=d["deadline"], min_total=0,
                kind=RoundKind.REPORT, intro_quota=form.intro_quota())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã gửi yêu cầu báo cáo “{result.obj.title}” tới "
                                      f"{result.obj.submissions.count()} đơn vị.")
            for w in result.warnings:
                messages.warning(request, w)
            return redirect("movement:round", pk=result.obj.pk)
    return render(request, "reports/request_form.html", {"form": form})


def _children_reports(unit: OrgUnit, movement: Movement, year: int) -> list[dict]:
    """The answers to the report requests this unit issued (or relayed) for the year."""
    subs = Submission.objects.filter(round__issuer=unit, round__kind=RoundKind.REPORT, round__movement=movement,
                                     round__year=year).select_related("unit", "round").order_by("unit_path")
    reports = {r.unit_id: r for r in AnnualReport.objects.filter(movement=movement, year=year,
                                                                  unit_id__in=[s.unit_id for s in subs])}
    return [{"sub": s, "report": reports.get(s.unit_id)} for s in subs]


def _annual_context(request: HttpRequest, unit: OrgUnit, movement: Movement, year: int,
                    report: AnnualReport | None, bound: dict | None = None) -> dict:
    s = stats.compute(unit, movement, year)
    cumulative = stats.compute(unit, movement, movement.period_start, year)
    branches, total = stats.by_branch(unit, movement, year)
    can_edit = services.can_edit(request.user, unit)
    sub = report.submission if report else services.request_submission(unit, movement, year)
    editable = can_edit and report is not None and not (sub and sub.is_sent)
    ctx = {
        "unit": unit, "movement": movement, "year": year, "report": report, "s": s, "cumulative": cumulative,
        "summary": services.summary_text(s), "appendix": documents.appendix_rows(s),
        "models": documents.model_rows(unit, movement, year), "model_headers": documents.MODEL_LIST_HEADERS,
        "branches": branches, "total": total, "children": _children_reports(unit, movement, year),
        "sub": sub, "can_edit": can_edit, "editable": editable,
        "can_submit": bool(sub and sub.is_editable and permissions.can_submit(request.user, sub)),
        "outline": OUTLINE,
    }
    if report is not None:
        intros = list(report.intros.select_related("exemplar__unit"))
        ctx["intros"] = [(i, (bound or {}).get(f"intro-{i.pk}") or IntroForm(
            prefix=f"i{i.pk}", initial={"version": report.version, **{k: getattr(i, k) for k in
                                                                       ("basis", "scope", "method", "effectiveness",
                                                                        "replication")}})) for i in intros]
        ctx["warnings"] = services.intro_warnings(report)
        ctx["quota"] = services.intro_quota(report)
        if editable:
            initial = {"version": report.version, "number": report.number,
                       **{f"s_{k}": report.section(k) for k, _ in OUTLINE}}
            ctx["form"] = (bound or {}).get("sections") or SectionsForm(initial=initial)
            candidates = services.introducible(request.user, report).exclude(
                pk__in=[i.exemplar_id for i in intros]).select_related("unit").order_by("-status", "-year", "name")
            ctx["intro_form"] = (bound or {}).get("intro") or IntroForm(
                exemplars=candidates, initial={"version": report.version})
    return ctx


@login_required
def annual(request: HttpRequest, code: str, year: int, bound: dict | None = None) -> HttpResponse:
    unit = _unit(request, code)
    movement = _movement(request, year)
    report = AnnualReport.objects.filter(unit=unit, movement=movement, year=year).select_related(
        "submission__round").first()
    if request.method == "POST" and bound is None:
        if request.POST.get("action") == "open":
            run_action(request, lambda: services.open_report(unit=unit, movement=movement, year=year, by=request.user),
                       "Đã lập báo cáo với phần hệ thống điền sẵn; hãy viết tiếp các mục.")
            return redirect(request.path + f"?phong_trao={movement.pk}")
        if report is None:
            raise Http404
        form = SectionsForm(request.POST)
        if form.is_valid():
            try:
                services.save_sections(report=report, by=request.user, sections=form.sections(),
                                       number=form.cleaned_data["number"],
                                       expected_version=form.cleaned_data["version"])
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Đã lưu báo cáo.")
                return redirect(request.path + f"?phong_trao={movement.pk}")
        bound = {"sections": form}
    ctx = _annual_context(request, unit, movement, year, report, bound)
    return render(request, "reports/annual.html", ctx, status=400 if bound else 200)


def _report(request: HttpRequest, code: str, year: int) -> AnnualReport:
    unit = _unit(request, code)
    return get_object_or_404(AnnualReport.objects.select_related("unit", "movement", "submission"), unit=unit,
                             movement=_movement(request, year), year=year)


@login_required
@require_POST
def intro_add(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    form = IntroForm(request.POST, exemplars=services.introducible(request.user, report))
    if form.is_valid():
        try:
            _, warnings = services.add_introduction(report=report, by=request.user,
                                                    exemplar=form.cleaned_data["exemplar"],
                                                    expected_version=form.cleaned_data["version"], **form.headings())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Đã thêm mô hình giới thiệu.")
            for w in warnings:
                messages.warning(request, w)
            return redirect(f"/bao-cao/{code}/{year}/?phong_trao={report.movement_id}#gioi-thieu")
    return annual(request, code, year, bound={"intro": form})


@login_required
@require_POST
def intro_edit(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    report = _report(request, code, year)
    intro = get_object_or_404(Introduction, pk=pk, report=report)
    form = IntroForm(request.POST, prefix=f"i{intro.pk}")
    if form.is_valid():
        try:
            services.update_introduction(intro=intro, by=request.user, expected_version=form.cleaned_data["version"],
                                         **form.headings())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã lưu phần giới thiệu “{intro.exemplar.name}”.")
            return redirect(f"/bao-cao/{code}/{year}/?phong_trao={report.movement_id}#gioi-thieu")
    return annual(request, code, year, bound={f"intro-{intro.pk}": form})


@login_required
@require_POST
def intro_remove(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    report = _report(request, code, year)
    intro = get_object_or_404(Introduction, pk=pk, report=report)
    run_action(request, lambda: services.remove_introduction(intro=intro, by=request.user,
                                                             expected_version=posted_version(request)),
               f"Đã bỏ “{intro.exemplar.name}” khỏi phần giới thiệu.")
    return redirect(f"/bao-cao/{code}/{year}/?phong_trao={report.movement_id}#gioi-thieu")


def _file(rendered) -> HttpResponse:
    return downloads.data_response(rendered.data, rendered.filename, rendered.content_type)


@login_required
def annual_download(request: HttpRequest, code: str, year: int, what: str, fmt: str) -> HttpResponse:
    unit = _unit(request, code)
    movement = _movement(request, year)
    try:
        return _file(documents.render_annual_download(unit, movement, year, what, fmt))
    except NoSuchDocument:
        raise Http404 from None
    except DocumentError as exc:
        messages.error(request, str(exc))
        return redirect(f"/bao-cao/{code}/{year}/?phong_trao={movement.pk}")


@login_required
def period_review(request: HttpRequest, code: str, movement: int) -> HttpResponse:
    unit = _unit(request, code)
    mv = get_object_or_404(Movement, pk=movement)
    table = documents.period_table(unit, mv)
    return render(request, "reports/period.html", {"unit": unit, "movement": mv, "table": table})


@login_required
def period_download(request: HttpRequest, code: str, movement: int, fmt: str) -> HttpResponse:
    unit = _unit(request, code)
    mv = get_object_or_404(Movement, pk=movement)
    try:
        return _file(documents.render_period(unit, mv, fmt))
    except DocumentError as exc:
        messages.error(request, str(exc))
        return redirect("reports:period", code=code, movement=movement)



# ---- the node's dashboard ------------------------------------------------------------------------

def _dashboard_params(request: HttpRequest):
    """Movement and years from the query string; a bad value falls back to the default with a note."""
    from .dashboard import params

    return params(request.GET.get("phong_trao"), request.GET.get("tu"), request.GET.get("den"))


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    from . import dashboard as dash_mod

    unit = _unit(request, code)
    p = _dashboard_params(request)
    dash = dash_mod.build(unit, p.movement, p.year_from, p.year_to)
    query = request.GET.urlencode()
    return render(request, "reports/dashboard.html", {
        "unit": unit, "dash": dash, "notes": p.notes, "query": query,
        "movements": Movement.objects.order_by("-period_start"),
        "movement_value": dash_mod.ALL_MOVEMENTS if p.movement is None else str(p.movement.pk),
        "ancestors": [a for a in tree.ancestors(unit) if permissions.can_see_unit(request.user, a)],
        "children": tree.children(unit)[:200],
    })


@login_required
def dashboard_download(request: HttpRequest, code: str, slug: str, fmt: str) -> HttpResponse:
    from . import dashboard as dash_mod

    unit = _unit(request, code)
    try:
        return _file(dash_mod.render_download(unit, _dashboard_params(request), slug, fmt))
    except (NoSuchDocument, DocumentError):
        raise Http404 from None
