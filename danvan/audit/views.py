"""The audit log page: every change in the admin's subtree (danvan/audit/selectors.py reads it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from danvan.orgs import permissions

from . import selectors as audit
from .forms import AuditFilterForm


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every change in the admin's subtree: exemplars, submission steps, memberships."""
    if not permissions.can_audit(request.user):
        raise PermissionDenied("Chỉ quản trị viên mới xem được nhật ký thay đổi.")
    form = AuditFilterForm(request.GET or None)
    rows = audit.entries(request.user, form.to_filter())
    return render(request, "core/audit.html", {"form": form, "rows": rows, "kinds": audit.KINDS,
                                               "limit": audit.LIMIT})
