"""Per-user request rate limiting (per client IP when signed out), with the ``limits`` library.

One limiter per app, kept on ``AppState.extras["rate_limiter"]`` (``rate_limiter_for(state)``
creates it on first use; call it in the lifespan to fail fast on a bad ``ALMANAC_RATE_LIMIT``).
With ``REDIS_URL`` the windows live in Redis, shared by every server process, through
limits' redis-py implementation on the app's own connection pool; without it, in memory.
A moving window: no burst of twice the limit across a window boundary.

``RateLimitExtension`` counts every GraphQL operation (even one that later fails
validation) and answers a top-level ``RATE_LIMITED`` error, with HTTP 429 and
``Retry-After`` over HTTP. If the Redis behind the limiter fails, requests are let
through (and logged): an outage of the limiter should not take the API down with it.
"""
from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import structlog
from graphql import GraphQLError
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import Redis
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from schema.core.errors import TopLevelCode
from server.settings import Settings

log = structlog.get_logger(__name__)

RATE_LIMITER_KEY = "rate_limiter"
LOGIN_LIMITER_KEY = "login_rate_limiter"
SERVICE_REQUEST_LIMITER_KEY = "service_request_rate_limiter"
DISABLED_SPECS = frozenset({"", "off", "none", "0"})


@dataclass(frozen=True, slots=True)
class RateVerdict:
    allowed: bool
    retry_after_seconds: int = 0


class RequestRateLimiter:
    def __init__(self, item: RateLimitItem, storage: Storage) -> None:
        self.item = item
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    async def hit(self, identity: str) -> RateVerdict:
        """Count one request for ``identity``; not allowed once the window is full."""
        try:
            if await self.strategy.hit(self.item, identity):
                return RateVerdict(allowed=True)
            stats = await self.strategy.get_window_stats(self.item, identity)
        except StorageError as error:
            log.warning("rate_limit.storage_unavailable", error=str(error.storage_error))
            return RateVerdict(allowed=True)
        return RateVerdict(allowed=False, retry_after_seconds=max(1, math.ceil(stats.reset_time - time.time())))

    def describe(self) -> str:
        return f"{self.item.amount} per {self.item.multiples} {self.item.GRANULARITY.name}"


def create_rate_limiter(
    settings: Settings, redis: Redis | None = None, *, spec: str | None = None
) -> RequestRateLimiter | None:
    """The limiter ``settings.rate_limit`` asks for ("600/minute"), or None when it is "off".

    ``redis`` (the app's client) lends its connection pool when ``REDIS_URL`` is set.
    Raises ValueError for a limit string the ``limits`` library cannot parse.
    """
    spec = (settings.rate_limit if spec is None else spec).strip()
    if spec.lower() in DISABLED_SPECS:
        return None
    item = parse(spec)
    storage: Storage
    if settings.redis_url:
        options: dict[str, Any] = {}
        if redis is not None:
            options["connection_pool"] = redis.connection_pool
        storage = RedisStorage(
            f"async+{settings.redis_url}",
            implementation="redispy",
            key_prefix=f"{settings.redis_namespace}:ratelimit",
            wrap_exceptions=True,
            **options,
        )
    else:
        storage = MemoryStorage(wrap_exceptions=True)
    return RequestRateLimiter(item, storage)


def _app_limiter(state: Any, key: str, spec: str) -> RequestRateLimiter | None:
    """The limiter kept on ``state.extras[key]`` (``server.app.AppState``), created on first use."""
    extras: dict[str, Any] = state.extras
    if key not in extras:
        extras[key] = create_rate_limiter(state.settings, state.redis, spec=spec)
    limiter: RequestRateLimiter | None = extras[key]
    return limiter


def rate_limiter_for(state: Any) -> RequestRateLimiter | None:
    """The app's request limiter."""
    return _app_limiter(state, RATE_LIMITER_KEY, state.settings.rate_limit)


def login_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Failed-guess budget per email address, apart from the request budget (aliases multiply logins)."""
    return _app_limiter(state, LOGIN_LIMITER_KEY, state.settings.login_rate_limit)


def service_request_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Public service requests per client (anonymous: per address), apart from the request budget."""
    return _app_limiter(state, SERVICE_REQUEST_LIMITER_KEY, state.settings.service_request_rate_limit)


def identity_of(context: Any) -> str:
    """Whose budget a request spends: the user's, else the client address's."""
    user = getattr(context, "user", None)
    if user is not None:
        return f"user:{user.id}"
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    if client is not None and client.host:
        return f"ip:{client.host}"
    return "anonymous"


class RateLimitExtension(SchemaExtension):
    """Counts the operation as it starts; refuses it just before execution when over the limit.

    The refusal waits for ``on_execute`` because an error raised there becomes a normal
    error response on HTTP and on WebSocket alike.
    """

    verdict: RateVerdict | None = None
    limiter: RequestRateLimiter | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        state = getattr(context, "state", None)
        if state is not None:
            self.limiter = rate_limiter_for(state)
            if self.limiter is not None:
                self.verdict = await self.limiter.hit(identity_of(context))
        yield

    def on_execute(self) -> Iterator[None]:
        if self.verdict is not None and not self.verdict.allowed and self.limiter is not None:
            retry_after = self.verdict.retry_after_seconds
            response = getattr(self.execution_context.context, "response", None)
            if isinstance(response, Response):
                response.status_code = 429
                response.headers["Retry-After"] = str(retry_after)
            raise GraphQLError(
                f"Too many requests (limit {self.limiter.describe()}). Retry in {retry_after} s.",
                extensions={"code": TopLevelCode.RATE_LIMITED.value, "retryAfter": retry_after},
            )
        yield
