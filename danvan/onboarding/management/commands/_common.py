from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def operator(username: str | None):
    """The account the CLI acts as: --user, else the first superuser (the operator running the server)."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{username}».")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("Chưa có tài khoản quản trị hệ thống; hãy dùng --user TÊN_ĐĂNG_NHẬP.")
    return user


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)
