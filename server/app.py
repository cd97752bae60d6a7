"""ASGI application factory with a typed Starlette lifespan."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from db import statements
from db.engine import make_engine, make_sessionmaker
from server.context import ChangeNotifier
from server.metrics import metrics_endpoint
from server.realtime import start_realtime
from server.settings import Settings, get_settings

log = structlog.get_logger(__name__)


class NullNotifier:
    def wake(self) -> None:
        return None


@dataclass(slots=True)
class AppState:
    settings: Settings
    engine: AsyncEngine | None
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    notifier: ChangeNotifier
    extras: dict[str, Any]


def make_redis(settings: Settings) -> Redis:
    if settings.redis_url:
        client: Redis = Redis.from_url(settings.redis_url)  # from_url is unannotated in redis-py
        return client
    from fakeredis import FakeAsyncRedis  # in-process stand-in when no Redis is configured

    return FakeAsyncRedis()


async def build_state(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    redis: Redis | None = None,
) -> AppState:
    engine: AsyncEngine | None = None
    if sessionmaker is None:
        from server.embedded import resolve_database_url

        engine = make_engine(await resolve_database_url(settings))
        statements.install(engine.sync_engine)
        sessionmaker = make_sessionmaker(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        redis=redis or make_redis(settings),
        notifier=NullNotifier(),
        extras={},
    )


async def close_state(state: AppState) -> None:
    await state.redis.aclose()
    if state.engine is not None:
        await state.engine.dispose()
        from server.embedded import release_database

        await release_database(state.settings)  # no-op when DATABASE_URL is set


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state: AppState = request.app.state.almanac
    checks: dict[str, str] = {}
    try:
        async with state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready; the reason is logged, not leaked
        log.warning("readyz.database_down", error=str(error))
        checks["database"] = "down"
    try:
        await state.redis.ping()
        checks["redis"] = "ok"
    except Exception as error:
        log.warning("readyz.redis_down", error=str(error))
        checks["redis"] = "down"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "unavailable", **checks}, status_code=200 if ready else 503)


def create_app(
    settings: Settings | None = None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    redis: Redis | None = None,
) -> Starlette:
    """The Almanac ASGI app. Tests pass their own sessionmaker and Redis."""
    from schema.root import schema
    from server.graphql_view import AlmanacGraphQL
    from server.ics_routes import ICS_ROUTES

    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = await build_state(settings, sessionmaker=sessionmaker, redis=redis)
        realtime = await start_realtime(
            settings, engine=state.engine, sessionmaker=state.sessionmaker, redis=state.redis
        )
        state.notifier = realtime.notifier
        state.extras["realtime"] = realtime
        from jobs.runtime import start_jobs

        jobs = await start_jobs(settings, state.sessionmaker)
        state.extras["job_queue"] = jobs.queue
        app.state.almanac = state
        graphql.state = state
        log.info("almanac.started", graphiql=f"{settings.public_url}/graphql")
        try:
            yield
        finally:
            await jobs.stop()
            await realtime.stop()
            await close_state(state)

    graphql = AlmanacGraphQL(schema, state=None)
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *ICS_ROUTES,
    ]
    return Starlette(routes=routes, lifespan=lifespan)
