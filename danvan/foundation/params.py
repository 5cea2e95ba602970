"""Integers from a query string or a form (issue 21 §4): `?field=<30 digits>` was a 500 (SQLite cannot hold it),
`"²".isdigit()` is true yet `int("²")` fails. Every door that reads an id, a year or a count from text asks
`query_int`, which answers None for anything that is not plain ASCII digits within the bounds."""

from __future__ import annotations

import re

MAX_INT = 2**63 - 1  # the widest integer column on both databases
_DIGITS = re.compile(r"[0-9]{1,19}")


def query_int(value: object, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = "" if value is None else str(value).strip()
        if not _DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def query_ints(values) -> list[int]:
    """The valid ids of a repeated parameter (`?submission=1&submission=2`), the rest dropped."""
    return [n for n in (query_int(v) for v in values) if n is not None]
