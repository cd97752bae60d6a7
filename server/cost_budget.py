"""Query-cost points per minute, in the style of GitHub's and Shopify's GraphQL rate limits.

Each operation's calculated cost (``schema.core.cost``) is taken from a budget: the
user's when signed in (``ALMANAC_COST_BUDGET``), the client address's otherwise
(``ALMANAC_ANONYMOUS_COST_BUDGET``). An operation that does not fit is refused with
RATE_LIMITED (HTTP 429, ``Retry-After``) before it executes. Every HTTP answer carries
``X-Cost``, ``X-Cost-Limit`` and ``X-Cost-Remaining``; a client that sends
``"extensions": {"cost": true}`` also gets them in the response's ``extensions.cost``.
The request count (``ALMANAC_RATE_LIMIT``) still applies: a flood of cheap operations
is bounded by it, a few expensive ones by this.

A calculated cost is an estimate made before execution; what an operation really took is
known after it. Like GitHub's secondary limit on CPU time, ``ALMANAC_TIME_BUDGET`` gives
each user (or client address) milliseconds of execution per minute: each operation's
execution time is charged after it ran, and once the budget is spent, operations are
refused until the window moves on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from server.rate_limit import cost_budget_for, identity_of, time_budget_for


@dataclass(frozen=True, slots=True)
class CostCharge:
    allowed: bool
    cost: int
    limit: int
    remaining: int
    retry_after_seconds: int = 0


async def charge_cost(context: Any, cost: int) -> CostCharge | None:
    """Take ``cost`` points from the caller's budget; None when budgets are off (or no app state)."""
    state = getattr(context, "state", None)
    if state is None:
        return None
    budget = cost_budget_for(state, signed_in=getattr(context, "user", None) is not None)
    if budget is None:
        return None
    identity = identity_of(context)
    verdict = await budget.spend(identity, cost) if cost > 0 else None
    remaining = await budget.remaining(identity)
    charge = CostCharge(
        allowed=verdict is None or verdict.allowed, cost=cost, limit=budget.item.amount, remaining=remaining,
        retry_after_seconds=verdict.retry_after_seconds if verdict is not None else 0,
    )
    response = getattr(context, "response", None)
    if isinstance(response, Response):
        response.headers["X-Cost"] = str(cost)
        response.headers["X-Cost-Limit"] = str(charge.limit)
        response.headers["X-Cost-Remaining"] = str(remaining)
        if not charge.allowed:
            response.status_code = 429
            response.headers["Retry-After"] = str(charge.retry_after_seconds)
    return charge


async def time_refusal(context: Any) -> int | None:
    """Seconds to wait when the caller has spent its execution time this minute, else None."""
    state = getattr(context, "state", None)
    budget = time_budget_for(state) if state is not None else None
    if budget is None:
        return None
    identity = identity_of(context)
    if await budget.remaining(identity) > 0:
        return None
    verdict = await budget.peek(identity)
    return max(1, verdict.retry_after_seconds)


async def charge_time(context: Any, milliseconds: int) -> None:
    """Charge what the operation took, at least 1 ms (all that is left when it took more:
    the next operation is then refused)."""
    state = getattr(context, "state", None)
    budget = time_budget_for(state) if state is not None else None
    if budget is None:
        return
    identity = identity_of(context)
    if not (await budget.spend(identity, max(1, milliseconds))).allowed:
        remaining = await budget.remaining(identity)
        if remaining > 0:
            await budget.spend(identity, remaining)
