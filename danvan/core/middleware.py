"""Refuse NUL characters in the address before any door sees them; keep signed-in answers out of caches.

PostgreSQL text cannot hold NUL, so a filter like ?unit=%00 would otherwise be a 500 on
PostgreSQL and a silent miss on SQLite; no address of this site ever needs one.

Every answer to a signed-in user (session or API token) — pages, JSON, downloads — is `Cache-Control: no-store`,
so neither a shared proxy nor the browser's disk keeps it; an answer that declared itself public (the showcase)
keeps its own header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers

MESSAGE = "Địa chỉ chứa ký tự NUL (%00) không hợp lệ."


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_characters", "message": MESSAGE, "details": {}}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
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
