"""Rate limiting per user (per client address when signed out), in memory and in the real Redis."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from starlette.responses import Response

from server.rate_limit import (
    RATE_LIMITER_KEY,
    RequestRateLimiter,
    create_rate_limiter,
    identity_of,
    rate_limiter_for,
)
from server.settings import Settings
from tests.api.limits_schema import ClientStub, ContextStub, RequestStub, StateStub, UserStub, run
from tests.conftest import REDIS_URL  # configured, or embedded on a bare machine

QUERY = "{ tags { name } }"
OPEN_QUERY = "{ __typename }"  # what a signed-out caller may ask


def settings_for(*, redis_url: str | None, limit: str = "3/minute") -> Settings:
    return Settings(REDIS_URL=redis_url, ALMANAC_RATE_LIMIT=limit,
                    ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:10]}")


def as_user(state: StateStub, user_id: int) -> ContextStub:
    return ContextStub(state=state, user=UserStub(id=user_id), response=Response())


def from_address(state: StateStub, host: str) -> ContextStub:
    return ContextStub(state=state, request=RequestStub(ClientStub(host)), response=Response())


async def codes(context: ContextStub, times: int) -> list[str | None]:
    found: list[str | None] = []
    query = QUERY if context.user is not None else OPEN_QUERY
    for _ in range(times):
        result = await run(query, context)
        found.append(result.errors[0].extensions["code"] if result.errors else None)
    return found


@pytest.fixture
async def redis_state() -> AsyncIterator[StateStub]:
    """A state on the real Redis under a fresh namespace; its rate-limit keys are deleted after."""
    settings = settings_for(redis_url=REDIS_URL)
    client = Redis.from_url(REDIS_URL)
    yield StateStub(settings=settings, redis=client)
    keys = [key async for key in client.scan_iter(match=f"{settings.redis_namespace}:ratelimit*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_in_memory_the_fourth_request_in_a_minute_is_rate_limited() -> None:
    state = StateStub(settings=settings_for(redis_url=None))
    context = as_user(state, 1)

    assert await codes(context, 4) == [None, None, None, "RATE_LIMITED"]

    limited = await run(QUERY, context)
    assert limited.data is None
    error = limited.errors[0]
    assert error.message.startswith("Too many requests (limit 3 per 1 minute).")
    assert 1 <= error.extensions["retryAfter"] <= 60
    assert context.response.status_code == 429
    assert context.response.headers["Retry-After"] == str(error.extensions["retryAfter"])


async def test_each_user_and_each_address_has_its_own_budget() -> None:
    state = StateStub(settings=settings_for(redis_url=None))
    assert await codes(as_user(state, 1), 4) == [None, None, None, "RATE_LIMITED"]
    assert await codes(as_user(state, 2), 1) == [None]
    assert await codes(from_address(state, "10.0.0.1"), 4) == [None, None, None, "RATE_LIMITED"]
    assert await codes(from_address(state, "10.0.0.2"), 1) == [None]


async def test_requests_rejected_by_validation_still_spend_the_budget() -> None:
    state = StateStub(settings=settings_for(redis_url=None))
    context = as_user(state, 1)
    for _ in range(3):
        invalid = await run("{ noSuchField }", context)
        assert invalid.errors and "noSuchField" in invalid.errors[0].message
    assert await codes(context, 1) == ["RATE_LIMITED"]


async def test_in_redis_the_window_is_shared_by_every_app_on_that_redis(redis_state: StateStub) -> None:
    assert await codes(as_user(redis_state, 7), 3) == [None, None, None]
    keys = [key async for key in redis_state.redis.scan_iter(match=f"{redis_state.settings.redis_namespace}:ratelimit*")]
    assert keys, "the window lives in Redis under the app's namespace"

    other_process = StateStub(settings=redis_state.settings, redis=redis_state.redis)
    assert await codes(as_user(other_process, 7), 1) == ["RATE_LIMITED"]
    assert await codes(as_user(other_process, 8), 1) == [None]


async def test_a_namespace_never_sees_another_namespaces_windows(redis_state: StateStub) -> None:
    assert await codes(as_user(redis_state, 1), 4) == [None, None, None, "RATE_LIMITED"]
    other = StateStub(settings=settings_for(redis_url=REDIS_URL), redis=redis_state.redis)
    try:
        assert await codes(as_user(other, 1), 1) == [None]
    finally:
        keys = [key async for key in redis_state.redis.scan_iter(match=f"{other.settings.redis_namespace}:ratelimit*")]
        await redis_state.redis.delete(*keys)


async def test_an_unreachable_redis_lets_requests_through() -> None:
    dead = settings_for(redis_url="redis://127.0.0.1:1/0")
    state = StateStub(settings=dead, redis=Redis.from_url("redis://127.0.0.1:1/0"))
    try:
        assert await codes(as_user(state, 1), 4) == [None, None, None, None]
    finally:
        await state.redis.aclose()


def test_the_limiter_follows_the_settings() -> None:
    assert create_rate_limiter(settings_for(redis_url=None, limit="off")) is None
    assert create_rate_limiter(settings_for(redis_url=None, limit="")) is None
    limiter = create_rate_limiter(settings_for(redis_url=None, limit="600/minute"))
    assert isinstance(limiter, RequestRateLimiter) and limiter.describe() == "600 per 1 minute"
    with pytest.raises(ValueError):
        create_rate_limiter(settings_for(redis_url=None, limit="lots"))


def test_the_limiter_is_created_once_per_app_state() -> None:
    state = StateStub(settings=settings_for(redis_url=None))
    first = rate_limiter_for(state)
    assert first is not None and rate_limiter_for(state) is first
    assert state.extras[RATE_LIMITER_KEY] is first
    assert rate_limiter_for(StateStub(settings=state.settings)) is not first


def test_identity_prefers_the_user_then_the_address() -> None:
    assert identity_of(ContextStub(user=UserStub(id=5), request=RequestStub(ClientStub("1.2.3.4")))) == "user:5"
    assert identity_of(ContextStub(request=RequestStub(ClientStub("1.2.3.4")))) == "ip:1.2.3.4"
    assert identity_of(ContextStub()) == "anonymous"
