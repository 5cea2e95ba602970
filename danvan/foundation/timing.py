"""Timing for the `danvan bench` commands."""

from __future__ import annotations

import time
from collections.abc import Callable


def median_seconds(fn: Callable[..., object], repeat: int) -> float:
    """The median wall time of `repeat` calls of `fn` (the middle run, so one slow outlier does not count)."""
    times = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]
