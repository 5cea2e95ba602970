"""Pages of onboarding: import/export, delegated administration, restructuring. Thin: services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from danvan.foundation import downloads, uploads
from danvan.foundation.actions import run_action
from danvan.foundation.clientip import client_ip
from danvan.orgs import permissions
from danvan.orgs.models import NAME_FIELDS, Membership, OrgUnit, Role, role_label
from danvan.orgs.permissions import Actor

from . import (
    accounts,
    administration,
    importing,
    people_import,
    plan_import,
    registry,
    restructuring,
    selectors,
    tables,
    tree_import,
)
from .models import ImportKind, ImportRun, UnitChange

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
KIND_PATHS = {"cay-don-vi": ImportKind.TREE, "nguoi-dung": ImportKind.PEOPLE, "ke-hoach-sap-xep": ImportKind.PLAN}


def _download(data: bytes, name: str, fmt: str) -> HttpResponse:
    return downloads.data_response(data, f"{name}.{fmt}", FORMATS[fmt])


def _need_onboard(user: Actor) -> None:
    if not permissions.can_onboard(user):
        raise PermissionDenied("Chỉ Ban Dân vận hoặc quản trị viên mới dùng được chức năng này.")


class UploadForm(forms.Form):
    upload = forms.FileField(label="Tệp danh sách (Excel .xlsx hoặc CSV)",
                             widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}))


class PlanUploadForm(UploadForm):
    on = forms.DateField(label="Ngày hiệu lực của kế hoạch (dd/mm/yyyy)", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                         help_text="Ví dụ 01/07/2025: từ ngày này các đơn vị cũ kết thúc hoạt động; báo cáo các năm "
                                   "trước vẫn tính theo cây đơn vị lúc đó.",
                         widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy",
                                                                          "inputmode": "numeric"}))


class RegistryForm(forms.Form):
    province = forms.ChoiceField(label="Tỉnh, thành phố (danh mục từ 01/7/2025)")
    under = forms.ChoiceField(label="Các xã, phường, đặc khu trực thuộc đơn vị")

    def __init__(self, *args, user: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["province"]).choices = [("", "— Chọn tỉnh, thành phố —")] + [
            (str(p.code), p.name) for p in registry.provinces()]
        units = (OrgUnit.objects.filter(permissions.paths_q(permissions.admin_paths(user)))
                 .exclude(kind__code__in=[code for code, _ in registry.KINDS.values()])
                 .order_by("path").only("code", "name", "depth")[:500])
        cast(forms.ChoiceField, self.fields["under"]).choices = [("", "— Chọn đơn vị —")] + [
            (u.code, f"{'· ' * (u.depth - 1)}{u.name} ({u.code})") for u in units]


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    """The province's commune-level units from the national registry, as a tree file that goes through the
    tree import's preview and apply (issue 22 §1)."""
    _need_onboard(request.user)
    form = RegistryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data, filename = registry.registry_file(form.cleaned_data["province"], form.cleaned_data["under"])
            run = importing.start_import(by=request.user, kind=ImportKind.TREE, data=data, filename=filename)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("onboarding:preview", pk=run.pk)
    return render(request, "onboarding/registry.html", {"form": form})


def _kind(slug: str) -> str:
    if slug not in KIND_PATHS:
        raise Http404
    return KIND_PATHS[slug]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _need_onboard(request.user)
    paths = permissions.admin_paths(request.user)
    roots = (OrgUnit.objects.get_root_nodes() if "" in paths else OrgUnit.objects.filter(path__in=paths))
    return render(request, "onboarding/home.html", {
        "roots": roots.order_by("path"),
        "runs": ImportRun.objects.filter(created_by_id=request.user.pk).defer("content")[:20],
    })


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    k = _kind(kind)
    if fmt not in FORMATS:
        raise Http404
    return _download(importing.template(k, fmt), f"mau-{kind}", fmt)


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    _need_onboard(request.user)
    k = _kind(kind)
    form = (PlanUploadForm if k == ImportKind.PLAN else UploadForm)(request.POST or None, request.FILES or None)
    if request.method == "POST" and (refused := uploads.refusal(request)):
        # The file went past the limit while it streamed in: refused, nothing read whole, nothing kept.
        form.errors["upload"] = form.error_class([refused])
    elif request.method == "POST" and form.is_valid():
        f = form.cleaned_data["upload"]
        if problem := tables.too_large(f.size or 0):  # before it is read
            form.add_error("upload", problem)
        else:
            try:
                run = importing.start_import(by=request.user, kind=k, data=f.read(), filename=f.name,
                                             effective_on=form.cleaned_data.get("on"))
            except ValidationError as exc:
                form.add_error("upload", exc.messages)
            else:
                return redirect("onboarding:preview", pk=run.pk)
    return render(request, "onboarding/upload.html", {"form": form, "kind": k, "slug": kind,
                                                      "kind_label": ImportKind(k).label})


def _preview(run: ImportRun, user: Actor) -> importing.Preview:
    if run.kind == ImportKind.PLAN:
        return plan_import.preview_plan(bytes(run.content), run.filename, by=user, on=run.effective_on,
                                        choices=_plan_choices(run))
    fn = tree_import.preview_tree if run.kind == ImportKind.TREE else people_import.preview_people
    return fn(bytes(run.content), run.filename, by=user)


def _plan_choices(run: ImportRun) -> dict[str, str]:
    return dict((run.summary or {}).get("choices") or {})


def _apply(run: ImportRun, user: Actor) -> importing.Applied:
    data = bytes(run.content)
    if run.kind == ImportKind.PLAN:
        return plan_import.apply_plan(data, run.filename, by=user, on=run.effective_on, choices=_plan_choices(run),
                                      run=run)
    apply = tree_import.apply_tree if run.kind == ImportKind.TREE else people_import.apply_people
    return apply(data, run.filename, by=user, run=run)


def _keep_choices(request: HttpRequest, run: ImportRun) -> None:
    """The successors the preview page chose to take over each split unit, kept on the run until it is applied."""
    choices = {k.removeprefix("takes-"): v for k, v in request.POST.items() if k.startswith("takes-") and v}
    if choices != _plan_choices(run):
        run.summary = {**(run.summary or {}), "choices": choices}
        run.save(update_fields=["summary"])


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk, created_by_id=request.user.pk)
    if request.method == "POST":
        if run.applied_at:
            messages.info(request, importing.ALREADY_APPLIED)
            return redirect("onboarding:preview", pk=run.pk)
        if run.kind == ImportKind.PLAN:
            _keep_choices(request, run)
            if "refresh" in request.POST:
                return redirect("onboarding:preview", pk=run.pk)
        try:
            result = _apply(run, request.user)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "already_applied":  # the same page posted twice at once: the first one applied it
                messages.info(request, importing.ALREADY_APPLIED)
            else:
                for m in exc.messages:
                    messages.error(request, m)
            return redirect("onboarding:preview", pk=run.pk)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("onboarding:preview", pk=run.pk)
        messages.success(request, result.message + (
            f" Thư kích hoạt đang được gửi cho {result.invited} người; tình trạng từng thư ở trang quản trị đơn vị "
            "của họ." if result.invited else ""))
        return redirect("onboarding:history" if run.kind == ImportKind.PLAN else "onboarding:home")
    p = _preview(run, request.user) if not run.applied_at else None
    if run.kind == ImportKind.PLAN:
        return render(request, "onboarding/plan_preview.html", {
            "run": run, "p": p,
            "fates": sorted(p.fates, key=lambda f: not f.errors)[:1000] if isinstance(p, plan_import.PlanPreview)
            else [],
            "steps": run.successions.select_related("predecessor", "successor").order_by("predecessor__path")
            if run.applied_at else []})
    shown = []
    if p:
        shown = p.error_rows[:500] + [r for r in p.rows if not r.errors and r.action != "unchanged"][:500]
        shown.sort(key=lambda r: r.line)
    columns = (importing.headers(importing.TREE_COLUMNS, importing.TREE_LABELS) if run.kind == ImportKind.TREE
               else importing.headers(importing.PEOPLE_COLUMNS, importing.PEOPLE_LABELS))
    return render(request, "onboarding/preview.html", {"run": run, "p": p, "shown": shown, "columns": columns})


@login_required
def export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    unit = get_object_or_404(permissions.visible_units(request.user), code=code)
    if fmt not in FORMATS:
        raise Http404
    return _download(tree_import.export_tree(unit, fmt), f"cay-don-vi-{unit.code}", fmt)


# ---------------------------------------------------------------- password set / reset


class ActivatingSetPasswordForm(SetPasswordForm):
    """Setting the password through the e-mailed link is what activates an invited account — never a
    deactivated one (`SetPasswordView` refuses its links before this form is shown)."""

    def save(self, commit=True):
        if not accounts.is_deactivated(self.user):
            self.user.is_active = True
        return super().save(commit)


class InviteAwareResetForm(PasswordResetForm):
    """Active users, and accounts waiting for their first password (their first link may have expired);
    the mail's fate is recorded for the unit page (`accounts.send_link`)."""

    def get_users(self, email):
        return accounts.users_awaiting_reset(email)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        if not accounts.send_link(context["user"], accounts.RESET, subject,
                                  render_to_string(email_template_name, context)):
            accounts.retry_reset(context["user"])


class ResetView(PasswordResetView):
    """The "forgot password" page, throttled per address entered and per client (`accounts.reset_throttled`)."""

    form_class = InviteAwareResetForm
    token_generator = accounts.links
    template_name = "onboarding/password_reset_form.html"
    email_template_name = "onboarding/password_reset_email.txt"
    subject_template_name = "onboarding/password_reset_subject.txt"

    def form_valid(self, form):
        refusal = accounts.reset_throttled(form.cleaned_data["email"], client_ip(self.request))
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        return super().form_valid(form)


class SetPasswordView(PasswordResetConfirmView):
    form_class = ActivatingSetPasswordForm
    token_generator = accounts.links
    template_name = "onboarding/password_set.html"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return None if user is not None and accounts.is_deactivated(user) else user


class ChangePasswordView(PasswordChangeView):
    """A signed-in user changes their own password (from the profile page); the session stays, the API keys go
    (api.tokens.revoke_on_new_password)."""

    template_name = "onboarding/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        messages.success(self.request, "Đã đổi mật khẩu. Mọi khóa API đang dùng của tài khoản đã bị thu hồi.")
        return super().form_valid(form)


# ---------------------------------------------------------------- delegated administration


class UnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "header_name", "superior_name", "level", "kind", "doc_suffix", "place_name", "address",
                  "email", "doc_family"]


    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        if self.instance.pk:  # editing: the code may be renamed (a repair); left empty it stays as it is
            self.fields["code"].required = False
        cast(forms.ModelChoiceField, self.fields["level"]).empty_label = "— Chọn cấp —"
        cast(forms.ModelChoiceField, self.fields["kind"]).empty_label = "— Chọn loại đơn vị —"

    def clean_code(self) -> str:
        return self.cleaned_data.get("code") or (self.instance.code if self.instance.pk else "")


class UnitEditForm(UnitForm):
    """Editing a unit: a change of its names is either a renaming on a date, or the correction of a typo."""

    renamed_on = forms.DateField(
        label="Đổi tên từ ngày (dd/mm/yyyy)", required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="Khi cơ quan được đổi tên, sáp nhập chức năng: văn bản đề ngày trước ngày này vẫn in tên cũ.",
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
    correction = forms.BooleanField(
        label="Chỉ sửa lỗi (tên cũ gõ sai): in tên mới trên mọi văn bản, kể cả văn bản cũ", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        renamed = [f for f in NAME_FIELDS if f in data and data[f] != getattr(self.instance, f)]
        if renamed and not data.get("renamed_on") and not data.get("correction"):
            raise forms.ValidationError(
                "Tên, tiêu đề, cơ quan chủ quản, ký hiệu hoặc thể thức văn bản đã thay đổi: ghi ngày đổi tên "
                "(văn bản trước ngày đó vẫn in tên cũ), hoặc đánh dấu «Chỉ sửa lỗi».")
        if renamed and data.get("renamed_on") and data.get("correction"):
            raise forms.ValidationError("Chọn một trong hai: đổi tên từ một ngày, hoặc chỉ sửa lỗi.")
        if renamed and data.get("renamed_on") and (error := administration.rename_date_error(
                self.instance, data["renamed_on"])):
            self.add_error("renamed_on", error)
        return data


class ChildForm(UnitForm):
    pass


class PersonForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên (khi tạo tài khoản mới)", max_length=150, required=False)
    email = forms.EmailField(label="Thư điện tử (khi tạo tài khoản mới)", required=False)
    role = forms.ChoiceField(label="Vai trò", choices=[], error_messages={
        "invalid_choice": "Bạn không được cấp vai trò này tại đơn vị này (không cao hơn vai trò của mình, "
                          "chỉ trong phạm vi mình quản trị)."})
    title = forms.CharField(label="Chức danh", max_length=150, required=False)

    def __init__(self, *args, roles: list[str], **kw):
        super().__init__(*args, **kw)
        choices = [(v, label) for v, label in Role.choices if v in roles]
        self.fields["role"].choices = choices  # type: ignore[attr-defined]


def _unit_for_admin(request, code: str | None = None, pk: int | None = None) -> tuple[OrgUnit, bool, list[str]]:
    lookup = {"code": code} if code is not None else {"pk": pk}
    unit = get_object_or_404(permissions.visible_units(request.user).select_related("level", "kind"), **lookup)
    manage = permissions.can_manage_unit(request.user, unit)
    roles = permissions.grantable_roles(request.user, unit)
    if not manage and not roles:
        raise PermissionDenied("Bạn không có quyền quản trị đơn vị này.")
    return unit, manage, roles


def _back(unit: OrgUnit):
    """The unit's page: by its code, or by its number while the code is one made before the rule."""
    if unit.code_ok:
        return redirect("onboarding:unit", code=unit.code)
    return redirect("onboarding:unit_by_pk", pk=unit.pk)


@login_required
def unit_admin_by_pk(request: HttpRequest, pk: int) -> HttpResponse:
    """The repair door for a unit whose code breaks the rule (an old import): its code has no URL of its own."""
    unit = get_object_or_404(permissions.visible_units(request.user).only("pk", "code"), pk=pk)
    if unit.code_ok and request.method != "POST":
        return redirect("onboarding:unit", code=unit.code)
    return unit_admin(request, pk=pk)


@login_required
def unit_admin(request: HttpRequest, code: str | None = None, pk: int | None = None) -> HttpResponse:
    unit, manage, roles = _unit_for_admin(request, code, pk)
    unit_form = UnitEditForm(instance=unit, prefix="u") if manage else None
    child_form = ChildForm(prefix="c", initial={"doc_family": unit.doc_family, "place_name": unit.place_name,
                                                "superior_name": unit.title_name}) if manage else None
    person_form = PersonForm(roles=roles, prefix="p")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit" and manage:
                unit_form = UnitEditForm(request.POST, instance=OrgUnit.objects.get(pk=unit.pk), prefix="u")
                if unit_form.is_valid():
                    on = unit_form.cleaned_data["renamed_on"] if not unit_form.cleaned_data["correction"] else None
                    administration.update_unit(by=request.user, unit=unit, renamed_on=on,
                                               **{f: unit_form.cleaned_data[f] for f in UnitForm.Meta.fields})
                    messages.success(request, f"Đã lưu thông tin đơn vị; văn bản từ ngày {on:%d/%m/%Y} in tên mới."
                                     if on and unit.former_names.filter(valid_to=on).exists()
                                     else "Đã lưu thông tin đơn vị.")
                    return _back(unit)
            elif action == "child" and manage:
                child_form = ChildForm(request.POST, prefix="c")
                if child_form.is_valid():
                    d = child_form.cleaned_data
                    child = administration.create_unit(by=request.user, parent=unit, **d)
                    messages.success(request, f"Đã thêm đơn vị «{child.name}».")
                    return _back(unit)
            elif action == "person":
                person_form = PersonForm(request.POST, roles=roles, prefix="p")
                if person_form.is_valid():
                    _add_person(request, unit, person_form.cleaned_data)
                    return _back(unit)
            else:
                raise PermissionDenied("Bạn không có quyền thực hiện việc này.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    members = (Membership.objects.filter(unit=unit).select_related("user", "user__account_state")
               .order_by("role", "user__username"))
    return render(request, "onboarding/unit.html", {
        "unit": unit, "manage": manage, "roles": roles, "unit_form": unit_form, "child_form": child_form,
        "person_form": person_form, "members": [(m, _account(request.user, m.user, manage)) for m in members],
        "children": selectors.mark_ended(OrgUnit.objects.get_children(unit).select_related("level")),
        "parent": OrgUnit.objects.get_parent(unit),
        "changes": UnitChange.objects.filter(unit=unit).select_related("created_by")[:50] if manage else [],
        "former_names": unit.former_names.order_by("-valid_to"),
    })


def _account(viewer: Actor, user: User, manage: bool) -> dict:
    """A member's account as the unit page shows it: state, the last e-mail's fate, what the viewer may do."""
    st = getattr(user, "account_state", None) if hasattr(user, "account_state") else None
    locked = bool(st and st.deactivated_at)
    waiting = not user.is_active and not user.has_usable_password() and not locked
    may_lock = permissions.can_deactivate(viewer, user)
    return {"locked": locked, "locked_at": st.deactivated_at if st and locked else None, "waiting": waiting,
            "mail": accounts.mail_label(st) if waiting or (st and st.mail_state == "failed") else "",
            "mail_failed": bool(st and st.mail_state == "failed"),
            "may_lock": may_lock and not locked, "may_unlock": may_lock and locked, "may_resend": (manage or may_lock) and waiting}


ACCOUNT_ACTIONS = {"khoa": "lock", "mo-khoa": "unlock", "gui-lai": "resend"}


@login_required
@require_POST
def account_action(request: HttpRequest, code: str, pk: int, action: str) -> HttpResponse:
    """Lock, unlock a member's account, or send their invitation again (issue 21 §3)."""
    unit, _, _ = _unit_for_admin(request, code)
    if action not in ACCOUNT_ACTIONS:
        raise Http404
    member = get_object_or_404(Membership.objects.select_related("user"), unit=unit, user_id=pk).user
    name = member.username
    if ACCOUNT_ACTIONS[action] == "lock":
        done = f"Đã khóa tài khoản «{name}»: không đăng nhập được, mọi phiên, khóa API và liên kết đã gửi đều hết hiệu lực."
        run_action(request, lambda: accounts.deactivate(by=request.user, user=member), done)
    elif ACCOUNT_ACTIONS[action] == "unlock":
        run_action(request, lambda: accounts.reactivate(by=request.user, user=member),
                   lambda signs_in: f"Đã mở khóa tài khoản «{name}»." + (
                       " Người dùng đăng nhập lại bằng mật khẩu cũ." if signs_in
                       else f" Tài khoản chưa có mật khẩu: thư kích hoạt mới đang được gửi đến {member.email}."))
    else:
        run_action(request, lambda: accounts.resend(by=request.user, user=member),
                   f"Thư kích hoạt đang được gửi lại đến {member.email}; xem tình trạng thư ở bảng thành viên.")
    return redirect("onboarding:unit", code=unit.code)


def _add_person(request, unit: OrgUnit, d: dict) -> None:
    User = get_user_model()
    user = User.objects.filter(username__iexact=d["username"]).first()
    if user is None:
        if not d["full_name"] or not d["email"]:
            raise ValidationError("Tài khoản chưa có: hãy nhập họ và tên và thư điện tử để tạo mới.")
        administration.add_person(by=request.user, unit=unit, username=d["username"], full_name=d["full_name"],
                            email=d["email"], role=d["role"], title=d["title"])
        messages.success(request, f"Đã tạo tài khoản «{d['username']}»; thư kích hoạt đang được gửi đến "
                                  f"{d['email']} (tình trạng thư ở bảng thành viên).")
    else:
        administration.grant_role(by=request.user, unit=unit, user=user, role=d["role"], title=d["title"])
        messages.success(request, f"Đã cấp vai trò «{role_label(d['role'])}» cho «{user.username}».")


@login_required
@require_POST
def revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit, _, _ = _unit_for_admin(request, code)
    membership = get_object_or_404(Membership.objects.select_related("unit", "user"), pk=pk, unit=unit)
    try:
        administration.revoke_role(by=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Đã thu hồi vai trò «{membership.get_role_display()}» "
                                  f"của «{membership.user.username}».")
    return redirect("onboarding:unit", code=unit.code)


# ---------------------------------------------------------------- restructuring


class UnitPicks(forms.Field):
    """Units picked from the page's list (ticked boxes, each a code) or typed as codes separated by commas:
    one text of codes for `_units_by_codes`."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> str:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value if v)
        return str(value or "")

    def bound_data(self, data, initial):
        return data


class RestructureForm(forms.Form):
    action = forms.ChoiceField(label="Việc cần làm", choices=[
        ("move", "Chuyển đơn vị này (cả cấp dưới) sang đơn vị cấp trên khác"),
        ("merge", "Hợp nhất các đơn vị vào đơn vị này"),
        ("split", "Chia tách đơn vị này thành các đơn vị kế thừa (đã tạo sẵn)"),
        ("retire", "Kết thúc hoạt động của đơn vị này"),
    ])
    on = forms.DateField(label="Ngày hiệu lực (dd/mm/yyyy)", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                         widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy",
                                                                          "inputmode": "numeric"}))
    target = forms.CharField(label="Đơn vị cấp trên mới (khi chuyển): gõ tên hoặc mã để tìm", required=False,
                             widget=forms.TextInput(attrs={"list": "restructure-units", "autocomplete": "off",
                                                           "data-enter": "none"}))
    merged = UnitPicks(label="Các đơn vị bị hợp nhất vào đơn vị này", required=False)
    successors = UnitPicks(label="Các đơn vị kế thừa khi chia tách", required=False)
    note = forms.CharField(label="Căn cứ, ghi chú (số quyết định…)", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates: list[OrgUnit], **kw):
        super().__init__(*args, **kw)
        choices = [(u.code, f"{u.name} ({u.code})") for u in candidates]
        self.fields["merged"].widget.choices = choices
        self.fields["successors"].widget.choices = choices


PICK_LIMIT = 500


def restructure_candidates(user: Actor, unit: OrgUnit) -> list[OrgUnit]:
    """The units a restructuring of `unit` may pick: those the user administers near it (its parent's
    subtree, two levels down), still working — merged, split and retired units are never offered."""
    parent = OrgUnit.objects.get_parent(unit) or unit
    visible = permissions.admin_paths(user)
    qs = OrgUnit.objects.filter(OrgUnit.active_q(), path__startswith=parent.path, depth__lte=parent.depth + 2)
    if "" not in visible:
        qs = qs.filter(permissions.paths_q(visible))
    return list(qs.exclude(pk=unit.pk).select_related("level").order_by("path")[:PICK_LIMIT])


@login_required
def restructure(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(permissions.visible_units(request.user).select_related("level"), code=code)
    if not permissions.can_manage_unit(request.user, unit):
        raise PermissionDenied("Chỉ Ban Dân vận hoặc quản trị viên cấp trên mới sắp xếp được đơn vị.")
    candidates = restructure_candidates(request.user, unit)
    form = RestructureForm(request.POST or None, initial={"on": timezone.localdate()}, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        visible = permissions.admin_paths(request.user)
        manageable = (OrgUnit.objects.all() if "" in visible
                      else OrgUnit.objects.filter(permissions.paths_q(visible)))
        try:
            if d["action"] == "move":
                target = manageable.filter(code=_picked_code(d["target"])).first()
                if target is None:
                    raise ValidationError(f"Không có đơn vị mã «{d['target']}» trong phạm vi bạn quản trị.")
                restructuring.move_unit(by=request.user, unit=unit, new_parent=target, on=d["on"], note=d["note"])
                messages.success(request, f"Đã chuyển «{unit.name}» sang «{target.name}».")
            elif d["action"] == "merge":
                units = _units_by_codes(manageable, d["merged"])
                restructuring.merge_units(by=request.user, units=units, into=unit, on=d["on"], note=d["note"])
                messages.success(request, f"Đã hợp nhất {len(units)} đơn vị vào «{unit.name}».")
            elif d["action"] == "split":
                units = _units_by_codes(manageable, d["successors"])
                restructuring.split_unit(by=request.user, unit=unit, into=units, on=d["on"], note=d["note"])
                messages.success(request, f"Đã chia tách «{unit.name}» thành {len(units)} đơn vị.")
            else:
                restructuring.retire_unit(by=request.user, unit=unit, on=d["on"], note=d["note"])
                messages.success(request, f"«{unit.name}» kết thúc hoạt động từ {d['on']:%d/%m/%Y}.")
            return redirect("onboarding:history")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "onboarding/restructure.html", {"unit": unit, "form": form, "candidates": candidates})


def _picked_code(text: str) -> str:
    """The target as the list shows it ("Sở Nội vụ (SNV-QNG)") or as a bare code."""
    text = text.strip()
    if text.endswith(")") and "(" in text:
        return text[text.rindex("(") + 1:-1].strip()
    return text


def _units_by_codes(manageable, text: str) -> list[OrgUnit]:
    codes = list(dict.fromkeys(c.strip() for c in text.replace(";", ",").split(",") if c.strip()))
    found = {u.code: u for u in manageable.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError("Không có đơn vị mã " + ", ".join(missing) + " trong phạm vi bạn quản trị.")
    return [found[c] for c in codes]


@login_required
def history(request: HttpRequest) -> HttpResponse:
    paths = permissions.admin_paths(request.user) or permissions.visible_paths(request.user)
    rows = selectors.successions_in_scope(paths)[:500]
    return render(request, "onboarding/history.html", {"rows": rows})
