"""ASGI application factory with a typed Starlette lifespan."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from db import statements
from db.engine import make_engine, make_read_sessionmaker, make_sessionmaker
from server.admission import ADMISSION_KEY, start_admission
from server.budget_script import BUDGETS_KEY, Budgets
from server.compression import GZip
from server.context import ChangeNotifier
from server.deploy_check import refuse_unsafe_start
from server.error_boundary import ErrorBoundary
from server.fanout_metrics import FanoutLag
from server.gc_tuning import tune_gc
from server.metrics import metrics_endpoint, metrics_for
from server.realtime import start_realtime
from server.request_limits import BodySizeLimit
from server.settings import Settings, get_settings
from server.viewer import USER_CACHE_KEY, UserCache

if TYPE_CHECKING:
    from server.graphql_view import AlmanacGraphQL

log = structlog.get_logger(__name__)
# Connections admission control leaves to token lookups, the change-log relay and in-process jobs:
# with all of them taken by operations, those waited out the pool timeout under load (5-minute mixed run).
RESERVED_CONNECTIONS = 3


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
    # Autocommit sessions for queries; None when tests hand in their own sessionmaker.
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def make_redis(settings: Settings) -> Redis:
    if settings.redis_url:
        client: Redis = Redis.from_url(settings.redis_url)  # from_url is unannotated in redis-py
        return client
    # In-process stand-in for an app built without a Redis URL (tests); `almanac serve` always
    # passes one (REDIS_URL, else the embedded Redis of server/embedded_services.py).
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis()


async def build_state(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    redis: Redis | None = None,
) -> AppState:
    engine: AsyncEngine | None = None
    read_sessionmaker = None
    if sessionmaker is None:
        from server.embedded import resolve_database_url

        engine = make_engine(
            await resolve_database_url(settings), pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout,
        )
        statements.install(engine.sync_engine)
        sessionmaker = make_sessionmaker(engine)
        read_sessionmaker = make_read_sessionmaker(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        redis=redis or make_redis(settings),
        notifier=NullNotifier(),
        extras={},
        read_sessionmaker=read_sessionmaker,
    )


def default_max_running(settings: Settings) -> int:
    """Operations that may run at once: one connection each, leaving some for sign-in lookups and background work."""
    return max(1, settings.db_pool_size + settings.db_max_overflow - RESERVED_CONNECTIONS)


async def close_state(state: AppState) -> None:
    budgets: Budgets | None = state.extras.get(BUDGETS_KEY)
    if budgets is not None:
        await budgets.aclose()  # waiting time charges reach Redis before it closes
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
    if not state.settings.redis_url:
        checks["redis"] = "not configured"  # in-process pub/sub and jobs: nothing to reach
    else:
        try:
            await state.redis.ping()
            checks["redis"] = "ok"
        except Exception as error:
            log.warning("readyz.redis_down", error=str(error))
            checks["redis"] = "down"
    ready = "down" not in checks.values()
    return JSONResponse({"status": "ready" if ready else "unavailable", **checks}, status_code=200 if ready else 503)


GRAPHQL_PATH = "/graphql"


class AlmanacApp(Starlette):
    """Starlette, with GraphQL requests routed around the layers they only pass through.

    Every frame of an ASGI call chain stays alive for as long as a websocket is open: through
    Starlette's error and exception middleware, gzip, the body limit, the router and the route,
    that was ~4 KiB of an idle subscriber's memory (issue 13), spent on layers that pass a
    websocket scope through untouched. A ``/graphql`` websocket goes to ``websocket_app`` (the
    view under the error boundary) directly.

    A ``POST /graphql`` goes to ``graphql_http_app``: the same ``request_middleware`` layers in the
    same order around the view, without Starlette's error and exception middleware, router and
    route. The view answers its own HTTP errors and the error boundary catches whatever escapes
    it, so those four only passed the request through, at ~6 % of a cheap query's CPU (issue 12).
    Everything else (GET, GraphiQL, CORS preflights, feeds, health) takes Starlette's full stack.
    """

    def __init__(self, *, graphql: AlmanacGraphQL, websocket_app: ASGIApp, graphql_http_app: ASGIApp,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql  # the view, for tests that adjust it
        self.websocket_app = websocket_app
        self.graphql_http_app = graphql_http_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["method"] == "POST" and route_path(scope) == GRAPHQL_PATH:
                scope["app"] = self
                await self.graphql_http_app(scope, receive, send)
                return
        elif kind == "websocket" and route_path(scope) == GRAPHQL_PATH:
            scope["app"] = self
            await self.websocket_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def route_path(scope: Scope) -> str:
    """The path the router matches: without the ``root_path`` a proxy mounts the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


# Layers of ``request_middleware`` that pass a websocket scope through untouched: a websocket
# skips them (each would keep a frame alive for the connection's life, issue 13). Any other
# layer wraps websockets too (tests/speed/test_lean_http.py probes which layers touch them).
HTTP_ONLY_LAYERS: tuple[object, ...] = (CORSMiddleware, GZip, BodySizeLimit)


def stack_of(layers: list[Middleware], app: ASGIApp) -> ASGIApp:
    """``layers`` around ``app``, outermost first, as Starlette builds them."""
    for cls, args, kwargs in reversed(layers):
        app = cls(app, *args, **kwargs)
    return app


def websocket_stack(settings: Settings, view: ASGIApp) -> ASGIApp:
    """``request_middleware`` but its HTTP-only layers: the error boundary (close 1011/1013) and,
    behind a trusted proxy, the client address from ``X-Forwarded-For``."""
    return stack_of([layer for layer in request_middleware(settings) if layer.cls not in HTTP_ONLY_LAYERS], view)


def create_app(
    settings: Settings | None = None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    redis: Redis | None = None,
) -> AlmanacApp:
    """The Almanac ASGI app. Tests pass their own sessionmaker and Redis."""
    from schema.root import schema
    from server.attachment_routes import ATTACHMENT_ROUTES
    from server.graphiql import GRAPHIQL_ROUTES
    from server.graphql_view import AlmanacGraphQL
    from server.ics_routes import ICS_ROUTES

    settings = settings or get_settings()
    refuse_unsafe_start(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = await build_state(settings, sessionmaker=sessionmaker, redis=redis)
        realtime = await start_realtime(
            settings, engine=state.engine, sessionmaker=state.sessionmaker, redis=state.redis
        )
        state.notifier = realtime.notifier
        state.extras["realtime"] = realtime
        metrics_for(state).registry.register(FanoutLag(realtime.fanout.stats))
        # Cache users only where changes reach this process (the relay runs when the app owns its engine).
        user_cache = UserCache(settings.user_cache_seconds if realtime.relay is not None else 0)
        state.extras[USER_CACHE_KEY] = user_cache
        realtime.broker.listeners.append(user_cache.on_change)
        state.extras[ADMISSION_KEY] = start_admission(
            settings, max_running=settings.max_running_operations or default_max_running(settings))
        from jobs.runtime import start_jobs

        jobs = await start_jobs(settings, state.sessionmaker)
        state.extras["job_queue"] = jobs.queue
        app.state.almanac = state
        graphql.state = state
        if state.engine is not None:  # a server process, not a test app on a borrowed connection
            tune_gc(freeze=settings.gc_freeze, threshold=settings.gc_threshold)
        log.info("almanac.started", graphiql=f"{settings.public_url}/graphiql")
        try:
            yield
        finally:
            await jobs.stop()
            await realtime.stop()
            await close_state(state)

    graphql = AlmanacGraphQL(schema, state=None, settings=settings)
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
        *ICS_ROUTES,
        *ATTACHMENT_ROUTES,
        *GRAPHIQL_ROUTES,
    ]
    return AlmanacApp(routes=routes, lifespan=lifespan, middleware=request_middleware(settings),
                      graphql=graphql, websocket_app=websocket_stack(settings, graphql.serve_websocket),
                      graphql_http_app=stack_of(request_middleware(settings), graphql))


def request_middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the error boundary sees everything, the body limit runs before any parsing."""
    stack = [Middleware(ErrorBoundary)]
    if settings.trusted_proxy_list:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        stack.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxy_list)))
    if settings.cors_origin_list:
        stack.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origin_list), allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"], max_age=600,
        ))
    # Level 1: a 2.5 MB calendar month shrinks ~20x for a few ms of CPU; higher levels cost 3-7x more.
    stack.append(Middleware(GZip, minimum_size=settings.gzip_min_bytes, compresslevel=1))
    stack.append(Middleware(BodySizeLimit, settings=settings))
    return stack
