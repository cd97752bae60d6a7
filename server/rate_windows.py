"""The limits' window arithmetic, in one place: what is left of a window and when it frees up.

Two paths read the same numbers: the budget script (``server.budget_script``) returns them from
Redis with its steps, and ``RequestRateLimiter`` reads them through the ``limits`` library's
storage (in memory without Redis, or a limiter outside GraphQL operations). The formulas are
limits' own (``MovingWindowRateLimiter`` and ``SlidingWindowCounterRateLimiter.get_window_stats``),
so a window written by the library or the script is read the same by both.
"""
from __future__ import annotations

import math
import time


def retry_after(resets_in: float) -> int:
    """Whole seconds to wait (at least 1) for a window that frees up in ``resets_in`` seconds."""
    return max(1, math.ceil(resets_in))


def moving_window_resets_in(oldest: float, expiry: int) -> float:
    """A moving window frees a unit when its oldest counted entry (a timestamp) leaves it."""
    return oldest + expiry - time.time()


def sliding_window_remaining(amount: int, expiry: int, previous: int, previous_in: float, current: int) -> int:
    """What is left of a sliding window counter's ``amount``: the previous window's count weighted by
    the share of it still inside the window (``previous_in`` seconds of ``expiry``), plus the current's."""
    return max(0, amount - math.floor(previous * previous_in / expiry + current))


def sliding_window_resets_in(expiry: int, previous: int, previous_in: float, current: int, current_in: float) -> float:
    """Seconds until a sliding window counter frees its next unit (0 when it holds nothing)."""
    resets = [previous_in % (expiry / previous)] if previous else []
    if current:
        resets.append(current_in % expiry)
    return min(resets, default=0.0)
