"""/healthz always answers; /readyz answers 503 when PostgreSQL or Redis is unreachable."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from server.app import create_app
from server.settings import Settings
from tests.conftest import REDIS_URL

CLOSED_PORT_DB = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


async def probe(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], redis: Redis) -> dict[str, Any]:
    app = create_app(settings, sessionmaker=sessionmaker, redis=redis)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
    return {"health": health.status_code, "ready": ready.status_code, "body": ready.json()}


@pytest.fixture
async def dead_sessionmaker() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(CLOSED_PORT_DB, connect_args={"timeout": 2})
    yield async_sessionmaker(engine)
    await engine.dispose()


async def test_ready_when_both_are_up(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    result = await probe(settings, sessionmaker, Redis.from_url(REDIS_URL))
    assert result == {"health": 200, "ready": 200, "body": {"status": "ready", "database": "ok", "redis": "ok"}}


async def test_not_ready_when_database_is_down(
    settings: Settings, dead_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    result = await probe(settings, dead_sessionmaker, Redis.from_url(REDIS_URL))
    assert result == {"health": 200, "ready": 503,
                      "body": {"status": "unavailable", "database": "down", "redis": "ok"}}


async def test_not_ready_when_redis_is_down(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    result = await probe(settings, sessionmaker, Redis.from_url(CLOSED_PORT_REDIS, socket_connect_timeout=1))
    assert result == {"health": 200, "ready": 503,
                      "body": {"status": "unavailable", "database": "ok", "redis": "down"}}


async def test_ready_without_redis_says_it_is_not_configured(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """No REDIS_URL: the in-process stand-in is not a Redis that could be 'ok'."""
    from fakeredis import FakeAsyncRedis  # what the app uses without REDIS_URL

    from server.app import build_state

    without_redis = settings.model_copy(update={"redis_url": None})
    app = create_app(without_redis, sessionmaker=sessionmaker, redis=FakeAsyncRedis())
    # Only the state /readyz reads: the lifespan's in-process cron timer would share the test's connection.
    app.state.almanac = await build_state(without_redis, sessionmaker=sessionmaker, redis=FakeAsyncRedis())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        ready = await http.get("/readyz")

    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok", "redis": "not configured"})
