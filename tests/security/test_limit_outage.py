"""When Redis fails, operations pass and the time charges they carried wait for the next script."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

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


async def test_charges_a_redis_that_answered_refused_are_not_sent_again(
    state: StateStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: a charge whose script Redis refuses (WRONGTYPE on its key, say) would fail every later
    script it went first in, and every operation of the process would then pass unlimited."""
    limiter, budgets = time_budget_for(state), budgets_for(state)
    assert limiter is not None
    budgets.defer(charge(limiter, "user:1", 40))

    def refused(keys: list[str], args: list[Any]) -> Any:
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    with monkeypatch.context() as broken:
        broken.setattr(budgets, "_send", refused)
        await budgets.run(())
    assert not budgets.pending and not budgets.unreachable
    budgets.defer(charge(limiter, "user:1", 2))
    await budgets.run(())
    assert limiter.item.amount - await limiter.remaining("user:1") == 2


async def test_while_redis_is_unreachable_a_script_carries_a_few_kept_charges(
    state: StateStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: each operation took every kept charge (up to MAX_PENDING callers) and built its keys
    for a script that would fail again, milliseconds of CPU per operation during an outage."""
    monkeypatch.setattr(budget_script, "RETRY_CHARGES", 2)
    limiter, budgets = time_budget_for(state), budgets_for(state)
    assert limiter is not None
    carried: list[int] = []

    def refused(keys: list[str], args: list[Any]) -> Any:
        carried.append(len(keys))
        raise RedisConnectionError("Connection refused")

    with monkeypatch.context() as outage:
        outage.setattr(budgets, "_send", refused)
        for user in range(5):
            budgets.defer(charge(limiter, f"user:{user}", 10))
        await budgets.run(())  # not yet known unreachable: all five go, and fail
        await budgets.run(())  # now two at a time
        assert budgets.unreachable and len(budgets.pending) == 5
    assert carried[1] < carried[0]
    for _ in range(3):
        await budgets.run(())
    assert not budgets.pending and not budgets.unreachable
    assert [limiter.item.amount - await limiter.remaining(f"user:{user}") for user in range(5)] == [10] * 5
