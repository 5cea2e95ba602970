from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .tokens import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer dvk_…` — the token acts with exactly its owner's rights."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user
