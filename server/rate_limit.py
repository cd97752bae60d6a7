"""Per-user request rate limiting (per client IP when signed out), with the ``limits`` library.

One limiter per app, kept on ``AppState.extras["rate_limiter"]`` (``rate_limiter_for(state)``
creates it on first use; call it in the lifespan to fail fast on a bad ``ALMANAC_RATE_LIMIT``).
With ``REDIS_URL`` the windows live in Redis, shared by every server process, through
limits' redis-py implementation on the app's own connection pool; without it, in memory.
A moving window: no burst of twice the limit across a window boundary. A GraphQL operation's
count goes with its budgets in one script (``server.budget_script``), on the same keys.

Every GraphQL operation is counted as it starts (``hit_rate_limit``, even one that later
fails validation); one over the limit is never parsed or validated (``stand_in_for_refused``)
and answers a top-level ``RATE_LIMITED`` error, with HTTP 429 and ``Retry-After`` over HTTP
(``refuse_over_limit``). The steps run in ``server.operation``. If the Redis behind the limiter fails, requests are let
through (and logged): an outage of the limiter should not take the API down with it.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import structlog
from graphql import DocumentNode, GraphQLError
from graphql import parse as parse_graphql
from limits import RateLimitItem, parse
from limits.aio.storage import (
    MemoryStorage,
    MovingWindowSupport,
    RedisStorage,
    SlidingWindowCounterSupport,
    Storage,
)
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.errors import StorageError
from redis.asyncio import Redis
from starlette.responses import Response

from schema.core.errors import TopLevelCode
from server.budget_script import Kind, Outcomes, Step, budgets_for
from server.rate_windows import (
    moving_window_resets_in,
    retry_after,
    sliding_window_remaining,
    sliding_window_resets_in,
)
from server.settings import Settings

log = structlog.get_logger(__name__)

RATE_LIMITER_KEY = "rate_limiter"
LOGIN_LIMITER_KEY = "login_rate_limiter"
SERVICE_REQUEST_LIMITER_KEY = "service_request_rate_limiter"
UNKNOWN_ADDRESS = "unknown"
DISABLED_SPECS = frozenset({"", "off", "none", "0"})


@dataclass(frozen=True, slots=True)
class RateVerdict:
    allowed: bool
    retry_after_seconds: int = 0


class RequestRateLimiter:
    def __init__(self, item: RateLimitItem, storage: Storage, *, weighted: bool = False,
                 key_prefix: str | None = None) -> None:
        self.item = item
        self.storage = storage
        self.weighted = weighted
        self.key_prefix = key_prefix  # in Redis: the prefix of its keys (``server.budget_script`` writes them too)
        # A moving window stores one timestamp per unit: right for requests, far too many
        # for a points budget, which a sliding window counter keeps in two numbers.
        self.strategy: RateLimiter = (
            SlidingWindowCounterRateLimiter(storage) if weighted else MovingWindowRateLimiter(storage)
        )

    async def hit(self, identity: str) -> RateVerdict:
        """Count one request for ``identity``; not allowed once the window is full."""
        return await self._verdict(identity, lambda: self.strategy.hit(self.item, identity))

    async def peek(self, identity: str) -> RateVerdict:
        """Whether one more hit would be allowed, without counting it."""
        return await self._verdict(identity, lambda: self.strategy.test(self.item, identity))

    async def spend(self, identity: str, cost: int) -> RateVerdict:
        """Take ``cost`` units from ``identity``'s window (a points budget); refused when they do not fit."""
        return await self._verdict(identity, lambda: self.strategy.hit(self.item, identity, cost=max(1, cost)))

    async def _verdict(self, identity: str, attempt: Callable[[], Awaitable[bool]]) -> RateVerdict:
        """``attempt``'s answer, with the wait until the window frees when refused; allowed (and
        logged) when the limiter's storage fails, so its outage does not take the API down."""
        try:
            if await attempt():
                return RateVerdict(allowed=True)
            _, resets_in = await self._window(identity)
        except StorageError as error:
            log.warning("rate_limit.storage_unavailable", error=str(error.storage_error))
            return RateVerdict(allowed=True)
        return RateVerdict(allowed=False, retry_after_seconds=retry_after(resets_in))

    async def remaining(self, identity: str) -> int:
        try:
            remaining, _ = await self._window(identity)
        except StorageError:
            return self.item.amount
        return remaining

    async def _window(self, identity: str) -> tuple[int, float]:
        """What is left of ``identity``'s window, and the seconds until it frees a unit: the library's
        storage read, the arithmetic of ``server.rate_windows`` (the budget script's too)."""
        key, amount, expiry = self.item.key_for(identity), self.item.amount, self.item.get_expiry()
        if self.weighted:
            sliding = cast(SlidingWindowCounterSupport, self.storage)
            previous, previous_in, current, current_in = await sliding.get_sliding_window(key, expiry)
            return (sliding_window_remaining(amount, expiry, previous, previous_in, current),
                    sliding_window_resets_in(expiry, previous, previous_in, current, current_in))
        oldest, counted = await cast(MovingWindowSupport, self.storage).get_moving_window(key, amount, expiry)
        return amount - counted, moving_window_resets_in(oldest, expiry)

    async def clear(self, identity: str) -> None:
        try:
            await self.strategy.clear(self.item, identity)
        except StorageError as error:
            log.warning("rate_limit.storage_unavailable", error=str(error.storage_error))

    def describe(self) -> str:
        return f"{self.item.amount} per {self.item.multiples} {self.item.GRANULARITY.name}"


def create_rate_limiter(
    settings: Settings, redis: Redis | None = None, *, spec: str | None = None, weighted: bool = False
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
    key_prefix = f"{settings.redis_namespace}:ratelimit"
    if settings.redis_url:
        options: dict[str, Any] = {}
        if redis is not None:
            options["connection_pool"] = redis.connection_pool
        storage = RedisStorage(
            f"async+{settings.redis_url}",
            implementation="redispy",
            key_prefix=key_prefix,
            wrap_exceptions=True,
            **options,
        )
        return RequestRateLimiter(item, storage, weighted=weighted, key_prefix=key_prefix)
    return RequestRateLimiter(item, MemoryStorage(wrap_exceptions=True), weighted=weighted)


def _app_limiter(state: Any, key: str, spec: str, *, weighted: bool = False) -> RequestRateLimiter | None:
    """The limiter kept on ``state.extras[key]`` (``server.app.AppState``), created on first use."""
    extras: dict[str, Any] = state.extras
    if key not in extras:
        extras[key] = create_rate_limiter(state.settings, state.redis, spec=spec, weighted=weighted)
    limiter: RequestRateLimiter | None = extras[key]
    return limiter


def rate_limiter_for(state: Any) -> RequestRateLimiter | None:
    """The app's request limiter."""
    return _app_limiter(state, RATE_LIMITER_KEY, state.settings.rate_limit)


def login_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Failed sign-ins per email address and client address (see ``server.login_guard``)."""
    return _app_limiter(state, LOGIN_LIMITER_KEY, state.settings.login_rate_limit)


def service_request_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Public service requests per client (anonymous: per address), apart from the request budget."""
    return _app_limiter(state, SERVICE_REQUEST_LIMITER_KEY, state.settings.service_request_rate_limit)


def login_ip_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Failed sign-ins per client address, whatever the email."""
    return _app_limiter(state, "login_ip_rate_limiter", state.settings.login_ip_rate_limit)


def cost_budget_for(state: Any, *, signed_in: bool) -> RequestRateLimiter | None:
    """Query-cost points per minute: per user when signed in, per client address otherwise."""
    if signed_in:
        return _app_limiter(state, "cost_budget", state.settings.cost_budget, weighted=True)
    return _app_limiter(state, "anonymous_cost_budget", state.settings.anonymous_cost_budget, weighted=True)


def time_budget_for(state: Any) -> RequestRateLimiter | None:
    """Milliseconds of execution per minute, per user (or client address when signed out)."""
    return _app_limiter(state, "time_budget", state.settings.time_budget, weighted=True)


def feed_limiter_for(state: Any) -> RequestRateLimiter | None:
    """Feed and export downloads per feed (token or user) and per client address."""
    return _app_limiter(state, "feed_rate_limiter", state.settings.feed_rate_limit)


def client_address(context: Any) -> str:
    """The client's address (X-Forwarded-For only counts from ALMANAC_TRUSTED_PROXIES)."""
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    return str(client.host) if client is not None and client.host else UNKNOWN_ADDRESS


def identity_of(context: Any) -> str:
    """Whose budget a request spends: the user's, else the client address's."""
    user = getattr(context, "user", None)
    if user is not None:
        return f"user:{user.id}"
    address = client_address(context)
    return "anonymous" if address == UNKNOWN_ADDRESS else f"ip:{address}"


OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
OPERATION_HEAD = re.compile(r"\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")


@lru_cache(maxsize=256)
def _stand_in(operation_type: str, operation_name: str) -> DocumentNode:
    return parse_graphql(f"{operation_type} {operation_name} {{ __typename }}")


def stand_in_document(query: str | None, operation_name: str | None) -> DocumentNode:
    """A trivial document standing in for a refused one (never parsed, validated or executed),
    with the type and name of the refused operation as far as its first words tell, so that
    the client's operation name still selects an operation and the metrics keep their labels."""
    head = OPERATION_HEAD.match(query or "")
    if operation_name is not None and OPERATION_NAME.fullmatch(operation_name):
        return _stand_in(head.group(1) if head else "query", operation_name)
    if head is not None:
        return _stand_in(head.group(1), head.group(2))
    return _stand_in("query", "Refused")


@dataclass(frozen=True, slots=True)
class RateCheck:
    """One operation's count against the request limit (``hit_rate_limit``), and the outcomes of the
    budget steps sent with it (``ahead``; None when none were: the later stages then ask themselves)."""

    limiter: RequestRateLimiter | None = None
    verdict: RateVerdict | None = None
    ahead: Outcomes | None = None

    @property
    def refused(self) -> bool:
        return self.verdict is not None and not self.verdict.allowed and self.limiter is not None


NOT_COUNTED = RateCheck()


async def hit_rate_limit(context: Any, ahead: Sequence[Step] = ()) -> RateCheck:
    """Count the operation as it starts (every one, valid or not), in the same round trip as
    ``ahead``: the budget steps of an operation known to reach execution (``CostCheck.predict``),
    run only when the count allows it."""
    state = getattr(context, "state", None)
    if state is None:
        return NOT_COUNTED
    limiter = rate_limiter_for(state)
    steps = [Step("request", Kind.HIT, limiter, identity_of(context))] if limiter is not None else []
    if not steps and not ahead:
        return NOT_COUNTED
    outcomes = await budgets_for(state).run([*steps, *ahead])
    counted = outcomes.get("request")
    verdict = RateVerdict(counted.allowed, counted.retry_after_seconds) if counted is not None else None
    return RateCheck(limiter, verdict, outcomes if ahead else None)


def stand_in_for_refused(ctx: Any, check: RateCheck) -> None:
    """At parsing: a refused operation's document is replaced by a trivial one, never parsed."""
    if check.refused:
        provided = ctx._provided_operation_name
        ctx.graphql_document = stand_in_document(ctx.query, provided)
        if provided is not None and not OPERATION_NAME.fullmatch(provided):
            ctx._provided_operation_name = None  # names nothing in the stand-in document


def refuse_over_limit(ctx: Any, check: RateCheck) -> None:
    """At validation: a refused operation's RATE_LIMITED error (HTTP 429 with Retry-After); validation is skipped."""
    if check.refused and check.verdict is not None and check.limiter is not None:
        retry_after = check.verdict.retry_after_seconds
        response = getattr(ctx.context, "response", None)
        if isinstance(response, Response):
            response.status_code = 429
            response.headers["Retry-After"] = str(retry_after)
        ctx.pre_execution_errors = [GraphQLError(
            f"Too many requests (limit {check.limiter.describe()}). Retry in {retry_after} s.",
            extensions={"code": TopLevelCode.RATE_LIMITED.value, "retryAfter": retry_after},
        )]
