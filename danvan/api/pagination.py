"""Cursor pagination: an opaque cursor over a stable order by primary key.

Offsets shift when rows are added during a deadline-day scroll; "after pk N" does not.
"""

from __future__ import annotations

import base64
import binascii

from django.db.models import QuerySet
from ninja import Schema

from .errors import ApiError

MAX_LIMIT = 200


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "pk" or not value.isdigit() or len(value) > 18:
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "bad_cursor", "Con trỏ trang (cursor) không hợp lệ; hãy dùng giá trị next_cursor "
                                          "mà API trả về.") from None


def page(qs: QuerySet, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `qs` ordered by pk, and the cursor of the next page (None on the last one)."""
    qs = qs.order_by("pk")
    if cursor:
        qs = qs.filter(pk__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk) if more and rows else None


class PageMeta(Schema):
    next_cursor: str | None = None
