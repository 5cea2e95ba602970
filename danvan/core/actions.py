"""What every page button that calls a service does with the outcome, written once.

A service refuses with ``ValidationError`` (its Vietnamese messages are shown) or ``PermissionDenied``
(a 404: pages never tell what exists beyond the user's rights); on success the page shows its message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest


def run_action(request: HttpRequest, action: Callable[[], Any], success: str | Callable[[Any], str]) -> bool:
    """Run ``action``; flash ``success`` (or ``success(result)``) or the refusal's messages. True when it ran."""
    try:
        result = action()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


MISSING_VERSION = ("Biểu mẫu thiếu số phiên bản của dữ liệu đã đọc, nên không kiểm tra được có ai sửa trước hay "
                   "chưa: hãy tải lại trang rồi làm lại.")


def required_version(value) -> int:
    """The version an edit door received (optimistic locking); every edit must send one, or it is refused —
    without it the stale-edit check would be skipped."""
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValidationError(MISSING_VERSION, code="stale") from None
    if version < 1:
        raise ValidationError(MISSING_VERSION, code="stale")
    return version


def posted_version(request: HttpRequest) -> int:
    """The object version the form was rendered with; a ValidationError when the form sent none."""
    return required_version(request.POST.get("version"))
