"""When Redis fails, operations pass and the time charges they carried wait for the next script."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from server import budget_script
from server.budget_script import Budgets, Kind, Step, budgets_for
from server.rate_limit import RequestRateLimiter, time_budget_for
from server.settings import Settings
from tests.api.limits_schema import StateStub
from tests.conftest import REDIS_URL


@pytest.fixture
async def state(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StateStub]:
    monkeypatch.setattr(budget_script, "FLUSH_DELAY", 60.0)  # charges go only when the test sends them
    settings = Settings(REDIS_URL=REDIS_URL, ALMANAC_TIME_BUDGET="15000/minute",
                        ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}")
    stub = StateStub(settings=settings, redis=Redis.from_url(REDIS_URL))
    try:
        yield stub
    finally:
        await budgets_for(stub).aclose()
        await stub.redis.aclose()


def charge(limiter: RequestRateLimiter, identity: str, milliseconds: int) -> Step:
    return Step("time", Kind.CHARGE, limiter, identity, milliseconds)


def redis_down(budgets: Budgets, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(keys: list[str], args: list[Any]) -> Any:
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(budgets, "_send", refused)


async def test_charges_whose_script_failed_go_with_the_next_one(
    state: StateStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter, budgets = time_budget_for(state), budgets_for(state)
    assert limiter is not None
    budgets.defer(charge(limiter, "user:1", 40))
    with monkeypatch.context() as outage:
        redis_down(budgets, outage)
        assert await budgets.run(()) == {}  # the flush fails
    budgets.defer(charge(limiter, "user:1", 2))
    await budgets.run(())
    assert limiter.item.amount - await limiter.remaining("user:1") == 42
    assert not budgets.pending


async def test_charges_kept_through_an_outage_are_bounded(state: StateStub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget_script, "MAX_PENDING", 3)
    limiter, budgets = time_budget_for(state), budgets_for(state)
    assert limiter is not None
    redis_down(budgets, monkeypatch)
    for user in range(5):
        budgets.defer(charge(limiter, f"user:{user}", 10))
        await budgets.run(())
    assert sorted(waiting.identity for waiting in budgets.pending.values()) == ["user:0", "user:1", "user:2"]
    budgets.defer(charge(limiter, "user:0", 5))  # an identity already waiting adds up
    assert [w.amount for w in budgets.pending.values() if w.identity == "user:0"] == [15]


async def test_a_script_redis_has_lost_is_loaded_again(state: StateStub) -> None:
    """After a restart or SCRIPT FLUSH, Redis answers NOSCRIPT: the script is loaded and run."""
    limiter, budgets = time_budget_for(state), budgets_for(state)
    assert limiter is not None and budgets.script is not None
    known = budgets.script.sha
    budgets.script.sha = "0" * 40  # a digest Redis never saw: it answers as it would after a flush
    budgets.defer(charge(limiter, "user:1", 7))
    await budgets.run(())
    assert budgets.script.sha == known
    assert limiter.item.amount - await limiter.remaining("user:1") == 7
