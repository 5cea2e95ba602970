"""The profile page: the user's units and roles, and their API tokens (create, list, revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from danvan.orgs import permissions

from . import tokens
from .forms import TokenForm
from .models import ApiToken


def _render(request: HttpRequest, form: TokenForm, new_secret: str | None = None) -> HttpResponse:
    return render(request, "api/profile.html", {
        "memberships": sorted(permissions.memberships(request.user), key=lambda m: m.unit.path),
        "tokens": ApiToken.objects.filter(user_id=request.user.pk or 0),
        "form": form,
        "new_secret": new_secret,
    })


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = tokens.create_token(user=permissions.author(request.user), name=form.cleaned_data["name"],
                                      expires_at=form.expires_at())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            # Rendered, not redirected: the secret is shown once and never stored anywhere.
            messages.success(request, f"Đã tạo khóa “{new.token.name}”.")
            return _render(request, TokenForm(), new.secret)
    return _render(request, form)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk or 0)
    tokens.revoke_token(token=token, by=request.user)
    messages.success(request, f"Đã thu hồi khóa “{token.name}”; phần mềm dùng khóa này sẽ không truy cập được nữa.")
    return redirect("profile")
