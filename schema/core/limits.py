"""Abuse limits on every operation: tokens, fragment expansion, depth, aliases, calculated cost.

Every rejection is a top-level error with ``extensions.code = "QUERY_TOO_COMPLEX"``
(a ``first`` outside ``0..100`` is ``VALIDATION``), answered before any resolver runs.

Order of checks for one request:
1. parsing (``QueryParser``, cached) stops past ``max_tokens`` (graphql-core's own limit);
2. validation (``QueryShapeLimiter``): fields after fragment expansion, then Strawberry's
   depth and alias validators. The expansion check comes first because Strawberry's
   validators walk every fragment spread afresh: a "fragment bomb" of a few dozen
   fragments that spread each other twice would otherwise take exponential time;
3. just before execution (``QueryCostLimiter``, which needs the variables): the ``first``
   cap and the calculated cost of ``schema.core.cost``. A client that asks for it gets the
   cost in the response's ``extensions.cost``.

All three are classes with no required argument, so they go straight into a schema's
``extensions=[...]`` and Strawberry builds them per request. The validation rule class
is built once per ``QueryLimits``, so ``ValidationCache`` keeps hitting.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, ValidationContext, ValidationRule, parse
from strawberry.extensions import AddValidationRules, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from schema.core.cost import CostRules, QueryCost, expanded_field_count, query_cost
from schema.core.errors import TopLevelCode


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2_000
    max_expanded_fields: int = 5_000
    max_cost: int = 10_000
    cost_rules: CostRules = field(default_factory=CostRules)


DEFAULT_LIMITS = QueryLimits()


def too_complex(message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": TopLevelCode.QUERY_TOO_COMPLEX.value, **extensions})


# -- 1. tokens and the parser cache ------------------------------------------------

_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted."  # graphql-core's wording for its token limit
PARSE_CACHE_SIZE = 256

_cached_parse = lru_cache(maxsize=PARSE_CACHE_SIZE)(parse)


class QueryParser(SchemaExtension):
    """Strawberry's ParserCache and MaxTokensLimiter in one hook, answering QUERY_TOO_COMPLEX.

    Not ``ParserCache`` itself: it parses inside its hook, so a syntax error escapes the
    hook instead of becoming a pre-execution error (the parse hooks entered before it never
    finish, and on a WebSocket the error escapes the operation). Here a failed cached parse
    is left to Strawberry, which parses again and reports the error normally.
    """

    def __init__(self, max_token_count: int = DEFAULT_LIMITS.max_tokens) -> None:
        self.max_token_count = max_token_count

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = self.max_token_count
        if ctx.graphql_document is None and ctx.query:
            with suppress(GraphQLError):
                ctx.graphql_document = _cached_parse(ctx.query, max_tokens=self.max_token_count)
        yield
        for error in ctx.pre_execution_errors or ():
            if isinstance(error, GraphQLSyntaxError) and _TOKEN_LIMIT_MESSAGE in error.message:
                error.extensions = {
                    **(error.extensions or {}),
                    "code": TopLevelCode.QUERY_TOO_COMPLEX.value,
                    "maxTokens": self.max_token_count,
                }


# -- 2. shape: fragment expansion, depth, aliases -------------------------------------


class _TooComplexReporter:
    """A ValidationContext whose reported errors carry code QUERY_TOO_COMPLEX."""

    def __init__(self, context: ValidationContext) -> None:
        self._context = context

    def report_error(self, error: GraphQLError) -> None:
        extensions = {**(error.extensions or {}), "code": TopLevelCode.QUERY_TOO_COMPLEX.value}
        self._context.report_error(GraphQLError(error.message, error.nodes, extensions=extensions))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


@cache
def query_shape_rule(limits: QueryLimits) -> type[ValidationRule]:
    depth_rule = depth_validator(limits.max_depth, None)
    aliases_rule = aliases_validator(limits.max_aliases)

    class QueryShapeRule(ValidationRule):
        # Strawberry's validators do all their work in __init__, so running them on a
        # reporting proxy is enough; they have no visitor methods to forward.
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            reporter: Any = _TooComplexReporter(context)
            fields = expanded_field_count(context.document)
            if fields > limits.max_expanded_fields:
                reporter.report_error(GraphQLError(
                    f"The query selects {fields} fields once fragments are expanded;"
                    f" the maximum is {limits.max_expanded_fields}."
                ))
                return
            depth_rule(reporter)
            aliases_rule(reporter)

    return QueryShapeRule


class QueryShapeLimiter(AddValidationRules):
    def __init__(self, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        super().__init__([query_shape_rule(limits)])


# -- 3. cost ------------------------------------------------------------------------


COST_REQUEST_KEY = "cost"


class QueryCostLimiter(SchemaExtension):
    """Rejects an operation whose calculated cost is over ``max_cost`` before it executes.

    A client that sends ``"extensions": {"cost": true}`` in its request gets
    ``"extensions": {"cost": {"requested": N, "limit": M}}`` in the response (opt-in, so
    ordinary responses stay plain ``{"data": ...}``); a rejection always names both numbers.
    """

    def __init__(self, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.cost: QueryCost | None = None

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            self.cost = query_cost(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables, self.limits.cost_rules
            )
            self._reject_if_over(self.cost)
        yield

    def _reject_if_over(self, cost: QueryCost) -> None:
        rules = self.limits.cost_rules
        if cost.page_violations:
            violation = cost.page_violations[0]
            raise GraphQLError(
                f"'first' must be between 0 and {rules.max_page} (got {violation.first} on '{violation.field}').",
                extensions={"code": TopLevelCode.VALIDATION.value, "field": "first", "maxFirst": rules.max_page},
            )
        if cost.total > self.limits.max_cost:
            raise too_complex(
                f"Query cost {cost.total} exceeds the maximum of {self.limits.max_cost}."
                " Ask for smaller pages (first) or fewer nested lists.",
                cost=cost.total,
                maxCost=self.limits.max_cost,
            )

    def get_results(self) -> dict[str, Any]:
        requested = (self.execution_context.operation_extensions or {}).get(COST_REQUEST_KEY)
        if self.cost is None or not requested:
            return {}
        return {"cost": {"requested": self.cost.total, "limit": self.limits.max_cost}}


QUERY_LIMIT_EXTENSIONS: list[type[SchemaExtension]] = [
    QueryParser,
    QueryShapeLimiter,
    ValidationCache,
    QueryCostLimiter,
]
"""Append to a schema's ``extensions``; both caches are bounded LRU caches."""
