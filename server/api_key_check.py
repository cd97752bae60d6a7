"""The API-key step of an operation (``check_api_key``, run by ``server/operation.py``'s
AlmanacOperation before execution): requests made with an API key are counted per key in
/metrics, limited by the key's own budget, and refused outside the key's modules
(``server/api_key_scope.py``)."""
from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from prometheus_client import Counter
from strawberry.types import ExecutionContext

from schema.core.errors import TopLevelCode
from server.api_key_scope import refusal
from server.api_keys import ApiKeyPrincipal
from server.budget_script import Kind, Step, budgets_for
from server.metrics import metrics_for
from server.rate_limit import NOT_COUNTED, RateCheck, RequestRateLimiter, create_rate_limiter

COUNTER_KEY = "api_key_requests"
API_KEY = "api_key"
LIMITERS_KEY = "api_key_limiters"


def requests_counter(state: Any) -> Counter:
    counter: Counter | None = state.extras.get(COUNTER_KEY)
    if counter is None:
        counter = state.extras[COUNTER_KEY] = Counter(
            "almanac_api_key_requests", "GraphQL operations made with each API key.", ("key", "outcome"),
            registry=metrics_for(state).registry,
        )
    return counter


def limiter_for(state: Any, principal: ApiKeyPrincipal) -> RequestRateLimiter | None:
    limiters: dict[tuple[int, int], RequestRateLimiter | None] = state.extras.setdefault(LIMITERS_KEY, {})
    key = (principal.id, principal.requests_per_minute)
    if key not in limiters:
        limiters[key] = create_rate_limiter(state.settings, state.redis, spec=f"{principal.requests_per_minute}/minute")
    return limiters[key]


def api_key_steps(context: Any) -> list[Step]:
    """The key's own count, when the request came with a key that has a budget."""
    principal: ApiKeyPrincipal | None = getattr(context, "api_key", None)
    limiter = limiter_for(context.state, principal) if principal is not None else None
    if principal is None or limiter is None:
        return []
    return [Step(API_KEY, Kind.HIT, limiter, f"api-key:{principal.id}")]


async def check_api_key(execution: ExecutionContext, rate: RateCheck = NOT_COUNTED) -> None:
    """Before execution: an API key's own budget, then its modules (raises RATE_LIMITED or PERMISSION_DENIED).
    The key was counted with the operation's start when ``rate.ahead`` holds its outcome."""
    ctx = execution.context
    principal: ApiKeyPrincipal | None = getattr(ctx, "api_key", None)
    if principal is None or execution.graphql_document is None:
        return
    counter = requests_counter(ctx.state)
    steps = api_key_steps(ctx)
    if steps:
        outcomes = rate.ahead if rate.ahead is not None and API_KEY in rate.ahead else await budgets_for(
            ctx.state).run(steps)
        verdict = outcomes.get(API_KEY)
        if verdict is not None and not verdict.allowed:
            counter.labels(principal.prefix, "rate_limited").inc()
            raise GraphQLError(
                f"This API key's budget of {principal.requests_per_minute} requests per minute is spent.",
                extensions={"code": TopLevelCode.RATE_LIMITED.value,
                            "retryAfterSeconds": verdict.retry_after_seconds},
            )
    reason = refusal(execution.schema._schema, execution.graphql_document, principal.modules)
    if reason is not None:
        counter.labels(principal.prefix, "out_of_scope").inc()
        raise GraphQLError(reason, extensions={"code": TopLevelCode.PERMISSION_DENIED.value})
    counter.labels(principal.prefix, "ok").inc()
