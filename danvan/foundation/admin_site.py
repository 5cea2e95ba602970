"""The Django admin (/quan-tri/) is for the system's superusers only.

Every rule of the system lives in the services and the pages: scope (a unit's subtree), who may grant which
role, the stale-edit check, the HTML sanitizer, the history of every change. The admin's generic forms know
none of them, so a staff user with a few model permissions could grant themself a role in another province or
move an exemplar out of their subtree. Rather than re-implement each rule a second time, the admin is closed to
everyone but superusers (docs/DEPLOY.md §7); unit administrators work through the pages ("Quản trị đơn vị").
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User

ONLY_SUPERUSERS = ("Trang quản trị kỹ thuật chỉ dành cho quản trị viên hệ thống (superuser). Cán bộ các đơn vị "
                   "quản trị đơn vị, người dùng, vai trò và mô hình qua các trang nghiệp vụ (mục «Quản trị đơn vị»).")


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def confirm_login_allowed(self, user: User):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(ONLY_SUPERUSERS, code="invalid_login")


class DanvanAdminSite(admin.AdminSite):
    site_header = "Quản trị Dân vận khéo"
    site_title = "Quản trị Dân vận khéo"
    index_title = "Quản trị hệ thống"
    login_form = SuperuserAuthenticationForm
    login_template = "admin/danvan_login.html"
    index_template = "admin/danvan_index.html"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def each_context(self, request):
        return {**super().each_context(request), "only_superusers": ONLY_SUPERUSERS}
