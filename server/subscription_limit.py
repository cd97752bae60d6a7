"""A cap on the subscriptions one user holds at once, over all their websockets (per process).

The cap per connection is Strawberry's own (``max_subscriptions_per_connection``, from
``ALMANAC_MAX_SUBSCRIPTIONS_PER_CONNECTION``); this one stops a user from opening many
connections instead (40 ``calendarChanged`` subscriptions stalled other users for 15.7 s).
Each subscription costs work on every change it is told about, so the bound is on the
running ones: a subscription that ends frees its place.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import GraphQLError

from schema.core.errors import TopLevelCode
from server.transport_ws import current_operation

ACTIVE_KEY = "subscriptions_per_user"


def active_subscriptions(state: Any) -> Counter[int]:
    extras: dict[str, Any] = state.extras
    counter: Counter[int] = extras.setdefault(ACTIVE_KEY, Counter())
    return counter


def count_subscription(ctx: Any) -> int | None:
    """At validation: a subscription takes one of its user's places, or is refused (RATE_LIMITED).
    Returns the user counted, for ``release_subscription``."""
    context = ctx.context
    state = getattr(context, "state", None)
    user = getattr(context, "user", None)
    if ctx.pre_execution_errors is None and state is not None and user is not None and _is_subscription(ctx):
        active = active_subscriptions(state)
        cap = state.settings.max_subscriptions_per_user
        if active[user.id] >= cap:
            ctx.pre_execution_errors = [GraphQLError(
                f"You have {active[user.id]} subscriptions open, the most one user may hold; end one first.",
                extensions={"code": TopLevelCode.RATE_LIMITED.value, "maxSubscriptions": cap},
            )]
        else:
            active[user.id] += 1
            return int(user.id)
    return None


def release_subscription(ctx: Any, counted_user: int | None) -> None:
    """When the operation ends: its place is freed (or when its group releases it, if handed over)."""
    if counted_user is not None:
        state, user_id = ctx.context.state, counted_user
        ref = current_operation.get()
        if ref is not None and ref.handed_over:  # served on by its group: counted until released
            ref.also_on_release(lambda: uncount(state, user_id))
        else:
            uncount(state, user_id)


def uncount(state: Any, user_id: int) -> None:
    active = active_subscriptions(state)
    active[user_id] -= 1
    if active[user_id] <= 0:
        del active[user_id]


def _is_subscription(ctx: Any) -> bool:
    try:
        return bool(ctx.operation_type.value == "subscription")
    except RuntimeError:  # no such operation: validation reports it
        return False
