"""What a round of each kind asks before its answer can be sent (issue 17 §1: a registry of round kinds).

A registration round counts models against its quota (`services.quota_shortfall`); a kind whose answer is
something else — the report request's annual report — registers its own check from the app that owns that
answer (`reports/apps.py`), so this app never imports the floor's siblings that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Submission

Shortfall = Callable[["Submission"], list[str]]

_SHORTFALLS: dict[str, Shortfall] = {}


def register_shortfall(kind: str, check: Shortfall) -> None:
    """`check(submission)` lists, in the words of a reminder letter, what the answer still lacks."""
    _SHORTFALLS[kind] = check


def shortfall_check(kind: str) -> Shortfall | None:
    return _SHORTFALLS.get(kind)
