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

The checks and the charges go to Redis in one script per operation (``server.budget_script``):
``budget_steps`` are the steps, ``cost_charge`` and ``time_wait`` read their outcomes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from server.budget_script import Kind, Outcome, Outcomes, Step, budgets_for
from server.rate_limit import cost_budget_for, identity_of, time_budget_for

TIME = "time"
COST = "cost"


@dataclass(slots=True)
class CostCharge:
    allowed: bool
    cost: int
    limit: int
    remaining: int
    retry_after_seconds: int = 0


def budget_steps(context: Any, cost: int) -> list[Step]:
    """Before execution: refused when the time budget is spent, else ``cost`` points taken (none:
    only what is left is read, for the headers). Empty when budgets are off (or no app state)."""
    state = getattr(context, "state", None)
    if state is None:
        return []
    time_budget = time_budget_for(state)
    budget = cost_budget_for(state, signed_in=getattr(context, "user", None) is not None)
    if time_budget is None and budget is None:
        return []
    identity = identity_of(context)
    steps: list[Step] = []
    if time_budget is not None:
        steps.append(Step(TIME, Kind.SPENT, time_budget, identity, 0))
    if budget is not None:
        steps.append(Step(COST, Kind.SPEND, budget, identity, max(0, cost)))
    return steps


async def run_budget_steps(context: Any, cost: int) -> Outcomes:
    """``budget_steps`` in one round trip (when the operation's start could not send them)."""
    steps = budget_steps(context, cost)
    return await budgets_for(context.state).run(steps) if steps else {}


def time_wait(outcomes: Outcomes) -> int | None:
    """Seconds to wait when the caller has spent its execution time this minute, else None."""
    outcome = outcomes.get(TIME)
    return None if outcome is None or outcome.allowed else max(1, outcome.retry_after_seconds)


def cost_charge(context: Any, cost: int, outcomes: Outcomes) -> CostCharge | None:
    """What taking ``cost`` points did (None when budgets are off), in the response's headers."""
    outcome: Outcome | None = outcomes.get(COST)
    state = getattr(context, "state", None)
    budget = cost_budget_for(state, signed_in=getattr(context, "user", None) is not None) if state else None
    if outcome is None or budget is None:
        return None
    charge = CostCharge(allowed=outcome.allowed, cost=cost, limit=budget.item.amount, remaining=outcome.remaining,
                        retry_after_seconds=0 if outcome.allowed else outcome.retry_after_seconds)
    response = getattr(context, "response", None)
    if isinstance(response, Response):
        response.headers["X-Cost"] = str(cost)
        response.headers["X-Cost-Limit"] = str(charge.limit)
        response.headers["X-Cost-Remaining"] = str(charge.remaining)
        if not charge.allowed:
            response.status_code = 429
            response.headers["Retry-After"] = str(charge.retry_after_seconds)
    return charge


async def charge_time(context: Any, milliseconds: int) -> None:
    """Charge what the operation took, at least 1 ms (all that is left when it took more:
    the next operation is then refused). With Redis it waits for the next script."""
    state = getattr(context, "state", None)
    budget = time_budget_for(state) if state is not None else None
    if budget is None:
        return
    charge = Step(TIME, Kind.CHARGE, budget, identity_of(context), max(1, milliseconds))
    budgets = budgets_for(state)
    if budgets.remote:
        budgets.defer(charge)
    else:
        await budgets.run([charge])
