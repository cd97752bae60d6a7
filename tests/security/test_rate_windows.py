"""The window arithmetic (server.rate_windows) is the limits library's: both read a window alike."""
from __future__ import annotations

import time

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage

from server.rate_limit import RequestRateLimiter
from server.rate_windows import retry_after


@pytest.mark.parametrize("weighted", [False, True])
async def test_what_is_left_and_when_it_frees_agree_with_the_library(weighted: bool) -> None:
    limiter = RequestRateLimiter(parse("5/minute"), MemoryStorage(), weighted=weighted)
    for spent in range(1, 7):
        allowed = (await limiter.spend("someone", 1)).allowed
        assert allowed == (spent <= 5)
        stats = await limiter.strategy.get_window_stats(limiter.item, "someone")
        remaining, resets_in = await limiter._window("someone")
        assert remaining == stats.remaining == max(0, 5 - spent)
        assert abs((time.time() + resets_in) - stats.reset_time) < 0.5
        if not allowed:
            assert (await limiter.hit("someone")).retry_after_seconds == retry_after(resets_in)


def test_a_wait_is_whole_seconds_and_never_zero() -> None:
    assert [retry_after(s) for s in (-3.0, 0.0, 0.2, 1.0, 59.01)] == [1, 1, 1, 1, 60]
