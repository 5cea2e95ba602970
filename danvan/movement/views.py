from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from multidb import db_write

from danvan.documents import models as documents_models
from danvan.documents import register as documents_register
from danvan.exemplars.models import Exemplar
from danvan.foundation import downloads, sharedcache, uploads
from danvan.foundation.actions import posted_version, run_action
from danvan.foundation.params import query_ints
from danvan.orgs import permissions, tree
from danvan.orgs.models import OrgUnit

from . import exports, notify, selectors, services
from .forms import (
    DT_FORMAT,
    DossierForm,
    ExtendForm,
    LaunchForm,
    RelayForm,
    ReturnForm,
    RoundEditForm,
    default_deadline,
)
from .models import (
    Action,
    Digest,
    Notification,
    NotifyKind,
    RegistrationRound,
    Reminder,
    Submission,
)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for w in warnings:
        messages.warning(request, w)


def _round(request: HttpRequest, pk: int) -> RegistrationRound:
    return get_object_or_404(selectors.visible_rounds(request.user).select_related("issuer", "movement"), pk=pk)


def _sub(request: HttpRequest, pk: int) -> Submission:
    qs = selectors.visible_submissions(request.user).select_related("round__issuer", "unit")
    return get_object_or_404(qs, pk=pk)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = selectors.visible_rounds(request.user).select_related("issuer", "parent_round").order_by(
        "-year", "-deadline")
    mine = selectors.visible_submissions(request.user).filter(
        unit_id__in=[m.unit_id for m in permissions.memberships(request.user)]).select_related("round", "unit")
    return render(request, "movement/round_list.html", {
        "rounds": rounds[:200], "mine": mine.order_by("-round__year")[:50],
        "can_launch": permissions.issuer_units(request.user).exists(),
    })


@login_required
def round_launch(request: HttpRequest) -> HttpResponse:
    issuers = permissions.issuer_units(request.user)
    if not issuers.exists():
        raise PermissionDenied("Bạn không có quyền phát động đợt đăng ký.")
    form = LaunchForm(request.POST or None, issuers=issuers,
                      initial={"deadline": default_deadline().strftime(DT_FORMAT)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.launch_round(
                issuer=d["issuer"], by=request.user, movement=d["movement"], year=d["year"], title=d["title"],
                guidance=d["guidance"], instructions=d["instructions"], deadline=d["deadline"],
                min_total=d["min_total"], min_collective=d["min_collective"], min_individual=d["min_individual"],
                target_mode=d["target_mode"], target_units=list(d["target_units"]),
                target_levels=list(d["target_levels"]), target_kinds=list(d["target_kinds"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã phát động “{result.obj}”.")
            _warn(request, result.warnings)
            return redirect("movement:round", pk=result.obj.pk)
    return render(request, "movement/launch.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    root = rnd.family_root
    node = _node(request, rnd)
    data = selectors.completeness(root, node)
    family_rounds, other_relays = selectors.family_rounds(request.user, root)
    relayable = services.relayable_submissions(request.user, root)
    node_round = next((r for r in family_rounds if r.issuer_id == node.pk), None)  # node: in the user's scope
    return render(request, "movement/round_detail.html", {
        "round": rnd, "root": root, "node": node, "c": data, "family_rounds": family_rounds,
        "other_relays": other_relays,
        "relayable": relayable, "node_round": node_round,
        "can_remind": node_round is not None and permissions.can_issue(request.user, node),
        "can_cancel": rnd.parent_round_id is not None and permissions.can_issue(request.user, rnd.issuer),
        "can_edit_round": permissions.can_issue(request.user, rnd.issuer),
        "unsent": notify.failed_for(request.user, submission__round=rnd,
                                    kind__in=[NotifyKind.LAUNCH, NotifyKind.RELAY, NotifyKind.REPORT_REQUEST]),
        "unsent_reminders": notify.failed_reminders(request.user, rnd),
        "ancestors": [a for a in tree.ancestors(node) if permissions.can_see_unit(request.user, a)],
        "now": timezone.now(),
    })


def _node(request: HttpRequest, rnd: RegistrationRound) -> OrgUnit:
    node = selectors.completeness_node(request.user, rnd, request.GET.get("don_vi"))
    if node is None:
        raise Http404
    return node


@login_required
def round_relay(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    rnd = _round(request, pk)
    unit = get_object_or_404(permissions.visible_units(request.user), code=code)
    if not permissions.can_issue(request.user, unit):
        raise Http404
    initial = {"title": rnd.title, "guidance": rnd.guidance, "min_total": rnd.min_total,
               "min_collective": rnd.min_collective, "min_individual": rnd.min_individual,
               "deadline": timezone.localtime(rnd.deadline).strftime(DT_FORMAT)}
    form = RelayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.relay_round(parent_round=rnd, unit=unit, by=request.user, **d)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã chuyển tiếp đợt đăng ký cho các đơn vị thuộc {unit.name}.")
            _warn(request, result.warnings)
            return redirect("movement:round", pk=result.obj.pk)
    return render(request, "movement/relay.html", {"form": form, "round": rnd, "unit": unit})


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    if not permissions.can_issue(request.user, rnd.issuer):
        raise Http404
    initial = {"title": rnd.title, "guidance": rnd.guidance, "min_total": rnd.min_total,
               "min_collective": rnd.min_collective, "min_individual": rnd.min_individual,
               "deadline": timezone.localtime(rnd.deadline).strftime(DT_FORMAT)}
    form = RoundEditForm(request.POST or None, initial=initial)
    # The version the form was first rendered with travels with it, also through a refused submit.
    version = request.POST.get("version", "") if request.method == "POST" else str(rnd.version)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.edit_round(round=rnd, by=request.user, expected_version=posted_version(request),
                                         **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Đã sửa đợt; thay đổi được ghi vào nhật ký hồ sơ và báo cho các đơn vị.")
            _warn(request, result.warnings)
            return redirect("movement:round", pk=rnd.pk)
    return render(request, "movement/round_edit.html", {"form": form, "round": rnd, "version": version})


@login_required
@require_POST
def round_cancel_relay(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    try:
        parent = services.cancel_relay(relay=rnd, by=request.user, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("movement:round", pk=rnd.pk)
    messages.success(request, f"Đã hủy chuyển tiếp “{rnd.title}”; có thể chuyển tiếp lại.")
    return redirect(f"/dot-dang-ky/{parent.pk}/?don_vi={quote(rnd.issuer.code)}")


@login_required
@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    ids = query_ints(request.POST.getlist("submission"))
    subs = list(rnd.submissions.filter(pk__in=ids).select_related("round", "unit"))
    if not subs:
        messages.error(request, "Hãy chọn ít nhất một đơn vị cần nhắc.")
        return redirect(f"/dot-dang-ky/{rnd.pk}/?don_vi={quote(rnd.issuer.code)}")
    try:
        sent = services.remind(round=rnd, submissions=subs, by=request.user, message=request.POST.get("message", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Đã nhắc: " + ", ".join(r.submission.unit.name for r in sent) + ".")
    return redirect(f"/dot-dang-ky/{rnd.pk}/?don_vi={quote(rnd.issuer.code)}")


@login_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    node = _node(request, rnd)
    data = selectors.completeness(rnd.family_root, node)
    body = exports.completeness_xlsx(data)
    return downloads.data_response(body, f"tien-do-dot-{rnd.pk}-{node.code}.xlsx",
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    items = sub.items.select_related("exemplar__field", "exemplar__unit", "via__unit").order_by("exemplar__unit__path")
    can_edit = permissions.can_edit_unit(request.user, sub.unit) and sub.is_editable
    relayed = services.child_round(sub)
    return render(request, "movement/submission.html", {
        "sub": sub, "round": sub.round, "items": items,
        "attachable": services.attachable_exemplars(sub).select_related("field") if can_edit else [],
        "continuable": services.continuable_exemplars(sub).select_related("field") if can_edit else [],
        "can_edit": can_edit,
        "can_submit": sub.is_editable and permissions.can_submit(request.user, sub),
        "can_review": permissions.can_issue(request.user, sub.round.issuer),
        "missing": services.quota_shortfall(sub),
        "events": sub.events.select_related("by"),
        "reminders": sub.reminders.all()[:20],
        "relayed": relayed,
        "dossier": DossierForm(initial={"launch_content": sub.launch_content, "signed_number": sub.signed_number,
                                        "signed_date": sub.signed_date, "version": sub.version}),
        "return_form": ReturnForm(),
        "extend_form": ExtendForm(),
        # An officer hands the dossier to the leader; whoever may send it (the leader, a superior) sends it.
        "can_request_approval": can_edit and not sub.awaiting_approval and not permissions.can_submit(request.user, sub),
        "last_review": sub.events.filter(action__in=[Action.RETURN, Action.ACCEPT]).select_related("by").last()
        if sub.status in ("returned", "accepted") else None,
        "unsent": notify.failed_for(request.user, submission=sub),
        "signer_missing": documents_models.signer_missing(sub.unit),
        "can_letter_settings": permissions.can_edit_letter_settings(request.user, sub.unit),
        "outgoing": (outgoing := documents_register.live_entry(sub)),
        "can_number": outgoing is None and sub.is_editable and permissions.can_keep_register(request.user, sub.unit),
        "can_read_register": permissions.can_read_register(request.user, sub.unit),
    })


def _act(request: HttpRequest, sub: Submission, fn, success: str, then: str | None = None) -> HttpResponse:
    """Run a dossier step (`core/actions.run_action`: a refusal of rights over a dossier one sees is said, not a
    404); on success go to `then` (the next place to work), else back to the dossier."""
    ran = run_action(request, fn, success, visible=lambda: permissions.can_see_unit(request.user, sub.unit),
                     after=lambda result: _warn(request, getattr(result, "warnings", [])))
    if ran and then:
        return redirect(then)
    return redirect("movement:submission", pk=sub.pk)


@login_required
@require_POST
def submission_attach(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    ids = query_ints(request.POST.getlist("exemplar"))
    if not ids:
        messages.error(request, "Hãy chọn ít nhất một mô hình để thêm vào hồ sơ.")
        return redirect("movement:submission", pk=sub.pk)
    exemplars = list(Exemplar.objects.filter(pk__in=ids))
    if len(exemplars) != len(set(ids)):
        messages.error(request, "Có mô hình không tồn tại.")
        return redirect("movement:submission", pk=sub.pk)
    # The dossier's second list: models of earlier years attached as "tiếp tục xây dựng".
    continued = request.POST.get("tiep_tuc") == "1"
    return _act(request, sub, lambda: services.attach_exemplars(
        submission=sub, exemplars=exemplars, by=request.user, continued=continued,
        expected_version=posted_version(request)),
        f"Đã thêm {len(exemplars)} mô hình {'tiếp tục xây dựng ' if continued else ''}vào hồ sơ.")


@login_required
@require_POST
def submission_detach(request: HttpRequest, pk: int, exemplar_pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    ex = get_object_or_404(Exemplar, pk=exemplar_pk)
    return _act(request, sub, lambda: services.detach_exemplar(
        submission=sub, exemplar=ex, by=request.user, expected_version=posted_version(request)), "Đã bỏ mô hình khỏi hồ sơ.")


@login_required
@require_POST
def submission_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    form = DossierForm(request.POST, request.FILES)
    if refused := uploads.refusal(request):  # a file past the limit, found while it streamed in
        messages.error(request, refused)
        return redirect("movement:submission", pk=sub.pk)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("movement:submission", pk=sub.pk)
    d = dict(form.cleaned_data)
    version = d.pop("version")
    return _act(request, sub, lambda: services.update_dossier(
        submission=sub, by=request.user, expected_version=version, **d), "Đã lưu hồ sơ.")


@login_required
@require_POST
def submission_request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    return _act(request, sub, lambda: services.request_approval(
        submission=sub, by=request.user, expected_version=posted_version(request)),
        "Đã trình lãnh đạo đơn vị phê duyệt; lãnh đạo đã được báo.")


@login_required
@require_POST
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    rnd = sub.round
    # A report lands on the report, where its files are; a registration stays on its dossier and documents.
    report = (reverse("reports:annual", args=[sub.unit.code, rnd.year]) + f"?phong_trao={rnd.movement_id}"
              if rnd.is_report else None)
    return _act(request, sub, lambda: services.submit(
        submission=sub, by=request.user, expected_version=posted_version(request)),
        "Đã gửi báo cáo lên cấp trên." if rnd.is_report else "Đã gửi đăng ký lên cấp trên.", then=report)


@login_required
@require_POST
def submission_consolidate(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    return _act(request, sub, lambda: services.consolidate_submission(submission=sub, by=request.user),
                "Đã tổng hợp mô hình của các đơn vị trực thuộc đã được tiếp nhận.")


@login_required
@require_POST
def submission_accept(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    return _act(request, sub, lambda: services.accept(submission=sub, by=request.user), "Đã tiếp nhận hồ sơ.")


@login_required
@require_POST
def submission_extend(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("movement:submission", pk=sub.pk)
    d = form.cleaned_data
    return _act(request, sub, lambda: services.extend_deadline(submission=sub, by=request.user, until=d["until"],
                                                               reason=d["reason"]),
                f"Đã gia hạn cho {sub.unit.name} đến {timezone.localtime(d['until']):%d/%m/%Y %H:%M}.")


@login_required
@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _sub(request, pk)
    return _act(request, sub, lambda: services.return_submission(
        submission=sub, by=request.user, comment=request.POST.get("comment", "")), "Đã trả lại hồ sơ kèm ý kiến.")


DOSSIER_FILES = {"cong-van": "letter_file", "phat-dong": "launch_file", "ban-ky": "signed_scan"}


@login_required
def submission_file(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """Dossier files are served only through here, after the scope check."""
    from danvan.foundation.uploads import content_type

    sub = _sub(request, pk)
    name = DOSSIER_FILES.get(which)
    f = getattr(sub, name) if name else None
    if not f:
        raise Http404
    # The type was checked by content at upload (foundation/uploads.py); always a download, never rendered inline.
    return downloads.file_response(f.open("rb"), f.name.rsplit("/", 1)[-1], content_type(f.name))


@login_required
@db_write  # marks them read: the next pages must read the primary, not a lagging replica
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user_id=request.user.pk or 0)[:100]
    response = render(request, "movement/notifications.html", {"items": items})
    Notification.objects.filter(user_id=request.user.pk or 0, read_at__isnull=True).update(read_at=timezone.now())
    sharedcache.forget_user("unread", [request.user.pk or 0])
    return response


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target or fallback)


@login_required
@require_POST
def notification_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send again a hand-off's e-mail that could not be sent, from the page where the hand-off was made."""
    n = get_object_or_404(Notification.objects.select_related("user"), pk=pk)
    if not notify.can_resend(request.user, n):
        raise Http404
    try:
        n = notify.resend(notification=n, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if n.email_status == "sent":
            messages.success(request, f"Đã gửi lại thư cho {n.user.get_full_name() or n.user.username}.")
        else:
            messages.error(request, f"Vẫn chưa gửi được thư cho {n.user.get_full_name() or n.user.username}: "
                                    f"{n.email_error}")
    return _back(request, n.url or "/")


@login_required
@require_POST
def digest_resend(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_object_or_404(Digest, pk=pk, user_id=request.user.pk or 0)
    try:
        digest = notify.resend_digest(digest=digest, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if digest.status == "failed":
            messages.error(request, f"Vẫn chưa gửi được thư tổng hợp: {digest.error}")
        else:
            messages.success(request, f"Đã gửi lại thư tổng hợp ngày {digest.day:%d/%m/%Y}.")
    return redirect("profile")


@login_required
@require_POST
def mail_preference(request: HttpRequest) -> HttpResponse:
    try:
        pref = notify.set_mail_mode(user=request.user, mode=request.POST.get("mode", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã lưu cách nhận thư: {pref.get_mode_display().lower()}.")
    return redirect("profile")


@login_required
@require_POST
def reminder_resend(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder.objects.select_related("submission__round__issuer", "submission__unit"),
                                 pk=pk, submission__round__in=selectors.visible_rounds(request.user))
    rnd = reminder.submission.round
    try:
        reminder = notify.resend_reminder(reminder=reminder, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        _errors(request, exc)
    else:
        unit = reminder.submission.unit.name
        if reminder.email_status == "sent":
            messages.success(request, f"Đã gửi lại thư nhắc {unit}.")
        else:
            messages.error(request, f"Vẫn chưa gửi được thư nhắc {unit}: {reminder.email_error}")
    return redirect(f"/dot-dang-ky/{rnd.pk}/?don_vi={quote(rnd.issuer.code)}")
