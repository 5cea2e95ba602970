"""Refuse NUL characters in the address and in form or JSON bodies before any door sees them; keep signed-in answers out of caches.

PostgreSQL text cannot hold NUL, so a filter like ?unit=%00 would otherwise be a 500 on
PostgreSQL and a silent miss on SQLite; no address of this site ever needs one.

Every answer to a signed-in user (session or API token) — pages, JSON, downloads — is `Cache-Control: no-store`,
so neither a shared proxy nor the browser's disk keeps it; an answer that declared itself public (the showcase)
keeps its own header.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers

MESSAGE = "Địa chỉ chứa ký tự NUL (%00) không hợp lệ."
BODY_MESSAGE = "Dữ liệu gửi lên chứa ký tự NUL (mã 0) không hợp lệ: hãy xóa ký tự đó rồi gửi lại."


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def _body_has_nul(request: HttpRequest) -> bool:
    """A form's text fields or a JSON body's strings with NUL (a return comment, a reminder message through the
    page or the API). A multipart body is parsed here as the CSRF check parses it anyway; its files are not read."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    kind = request.content_type or ""
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    if kind == "application/json" or kind.endswith("+json"):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        if not length or length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return False  # too big: the view answers 413
        body = request.body
        if b"\x00" not in body and b"\\u0000" not in body:
            return False
        try:
            return b"\x00" in body or _json_has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON at all: the view says so
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = MESSAGE if _has_nul(request) else BODY_MESSAGE if _body_has_nul(request) else ""
        if message:
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_characters", "message": message, "details": {}}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NoStoreSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "public" in response.get("Cache-Control", ""):
            return response
        # The session is read only when there is one: reading it marks the answer `Vary: Cookie`.
        user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
