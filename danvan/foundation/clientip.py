"""The client's address for login throttling (django-axes).

Without a proxy it is REMOTE_ADDR and X-Forwarded-For is ignored (anyone can forge it). Behind N
trusted proxies (DANVAN_PROXY_COUNT=N) it is the address the outermost of them saw: the N-th entry
from the right of X-Forwarded-For, which nginx appends and a client cannot overwrite.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [x.strip() for x in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if x.strip()]
    return chain[-hops] if len(chain) >= hops else remote
