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


def run_action(request: HttpRequest, action: Callable[[], Any], success: str | Callable[[Any], str], *,
               visible: Callable[[], bool] | None = None, after: Callable[[Any], None] | None = None) -> bool:
    """What every page button does with a service's outcome: run ``action``; flash ``success`` (or
    ``success(result)``, then ``after(result)``) or the refusal's messages. True when it ran.

    A refusal of rights (`PermissionDenied`) is a 404 — the object does not exist for this user — unless
    ``visible()`` says the user sees it: then the refusal is said in Vietnamese on the page they came from."""
    try:
        result = action()
    except PermissionDenied as exc:
        if visible is None or not visible():
            raise Http404 from None
        messages.error(request, " ".join(str(a) for a in exc.args) or "Bạn không có quyền.")
        return False
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return False
    messages.success(request, success(result) if callable(success) else success)
    if after is not None:
        after(result)
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
