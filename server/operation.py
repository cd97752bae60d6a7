"""Every GraphQL operation's checks and bookkeeping in one schema extension.

The schema used to list a dozen extensions (metrics, session, error codes, authentication,
rate limit, API keys, subscriptions per user and the five query limits). Strawberry builds
each of them for every operation and enters each hook as a generator context manager on an
exit stack: 16 hooks a request, with their stacks ~13 % of a ``{ __typename }`` worker's CPU
and the machinery around them as much again (py-spy, 50 clients, issue 12). Here one object
per operation runs the same steps as plain calls, in the order the list gave them: entering a
stage runs the steps in list order, leaving it runs them in reverse, and a step that ran only
on a clean exit (error codes, the time charge) still does. The steps are stage methods
(``schema.core.staged``): the schema's ``execute`` calls them directly, and Strawberry's paths
that run hooks (subscriptions, websocket operations) get one hook per stage derived from them.

The steps are plain functions in the modules that used to hold those extensions (a test
schema takes this extension too: ``tests/api/limits_schema.py``):

- ``server.metrics``: time and SQL statements per operation, counted by outcome;
- ``schema.core.extensions``: the session closed (queries read without a transaction),
  UNAUTHENTICATED for anonymous callers of closed fields, every error coded;
- ``server.rate_limit``: every operation counted as it starts, a refused one never parsed;
- ``server.api_key_check``: an API key's own budget and modules;
- ``server.subscription_limit``: subscriptions per user;
- ``schema.core.limits``: tokens, shape, the pre-validation gate, the validation cache, cost.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from graphql import GraphQLError

from db import statements
from schema.core.extensions import (
    close_session,
    code_operation_errors,
    code_stream_errors,
    mark_read_only,
    refuse_anonymous,
)
from schema.core.limits import (
    DEFAULT_LIMITS,
    CostCheck,
    code_token_limit,
    gate,
    parse_cached,
    query_shape_rule,
    validate_cached,
)
from schema.core.staged import StagedExtension
from server.api_key_check import check_api_key
from server.metrics import code_outcome, observe_operation, outcome_of
from server.rate_limit import (
    NOT_COUNTED,
    RateCheck,
    hit_rate_limit,
    refuse_over_limit,
    stand_in_for_refused,
)
from server.subscription_limit import count_subscription, release_subscription

SHAPE_RULES = (query_shape_rule(DEFAULT_LIMITS),)


class OperationScope:
    """What wraps each operation: the request count first, then, however it ended, its subscription
    released, its errors coded (when it raised nothing), its session closed and its outcome, time and
    statements observed. A class, not a generator: it wraps every operation, and a generator's
    context manager is an async generator the event loop registers and tracks."""

    __slots__ = ("counting", "extension", "sql", "started", "state")

    def __init__(self, extension: AlmanacOperation) -> None:
        self.extension = extension
        self.counting = statements.counting()  # nests: an enclosing (test's) counter still counts

    async def __aenter__(self) -> None:
        extension = self.extension
        ctx = extension.execution_context
        self.state = getattr(ctx.context, "state", None)
        self.started = time.perf_counter()
        self.sql = self.counting.__enter__()
        try:
            extension.rate = await hit_rate_limit(ctx.context, extension.costs.predict(ctx))
            ctx.validation_rules = ctx.validation_rules + SHAPE_RULES
        except BaseException as error:
            try:
                await close_session(ctx.context)
            finally:
                self.observe(code_outcome(error) if isinstance(error, GraphQLError) else "error")
            raise

    async def __aexit__(self, exc_type: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        ctx = self.extension.execution_context
        outcome = "error"
        try:
            try:
                try:
                    release_subscription(ctx, self.extension.counted_user)
                    if error is None:
                        code_operation_errors(ctx)
                finally:
                    await close_session(ctx.context)
                if error is None:
                    outcome = outcome_of(ctx)
                elif isinstance(error, GraphQLError):
                    outcome = code_outcome(error)
            except GraphQLError as raised:
                outcome = code_outcome(raised)
                raise
        finally:
            self.observe(outcome)

    def observe(self, outcome: str) -> None:
        try:
            if self.state is not None:
                observe_operation(self.state, self.extension.execution_context, outcome, self.started,
                                  self.sql.count)
        finally:
            self.counting.__exit__(None, None, None)


class AlmanacOperation(StagedExtension):
    """The steps of the former extension list, in its order (``schema.root.EXTENSIONS``)."""

    def __init__(self) -> None:
        self.rate: RateCheck = NOT_COUNTED
        self.counted_user: int | None = None
        self.costs = CostCheck(DEFAULT_LIMITS)
        self.executing_since = 0.0

    def operation(self) -> OperationScope:
        return OperationScope(self)

    def before_parse(self) -> None:
        ctx = self.execution_context
        stand_in_for_refused(ctx, self.rate)
        parse_cached(ctx, DEFAULT_LIMITS.max_tokens)

    def after_parse(self) -> None:
        code_token_limit(self.execution_context, DEFAULT_LIMITS.max_tokens)

    def before_validate(self) -> None:
        ctx = self.execution_context
        refuse_anonymous(ctx)
        refuse_over_limit(ctx, self.rate)
        self.counted_user = count_subscription(ctx)
        gate(ctx, DEFAULT_LIMITS)
        validate_cached(ctx)

    async def before_execute(self) -> None:
        ctx = self.execution_context
        mark_read_only(ctx)
        await check_api_key(ctx, self.rate)
        await self.costs.before(ctx, self.rate)
        self.executing_since = time.perf_counter()

    async def after_execute(self) -> None:
        await self.costs.after(self.execution_context, self.executing_since)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        code_stream_errors(result)
        yield

    def get_results(self) -> dict[str, Any]:
        return self.costs.results(self.execution_context)
