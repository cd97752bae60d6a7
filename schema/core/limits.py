"""Abuse limits on every operation: tokens, fragment expansion, depth, aliases, calculated cost.

Every rejection is a top-level error with ``extensions.code = "QUERY_TOO_COMPLEX"``
(a ``first`` outside ``0..100`` is ``VALIDATION``), answered before any resolver runs.
``server.operation.AlmanacOperation`` runs the steps below, in this order:

1. parsing (``parse_cached``, ``code_token_limit``) stops past ``max_tokens`` (graphql-core's
   own limit), and a text parsed before is not parsed again;
2. before validation (``gate``), cheap linear checks that spare the expensive ones
   (``schema.core.extensions.refuse_anonymous`` has refused anonymous callers selecting
   closed fields by then, so strangers never make the server validate a query they may not
   run): introspection when it is turned off; fields after fragment expansion (Strawberry's
   validators walk every fragment spread afresh: a "fragment bomb" would take exponential
   time); and the pairs graphql-core's overlapping-fields rule would compare
   (``cost.merge_pairs``: a 15 KB query repeating ``me { name }`` 490 times took 1.5 s of
   validation). Then ``validate_cached`` answers documents that differ only in whitespace
   and commas from one cache entry;
3. validation (``query_shape_rule``): Strawberry's depth and alias validators;
4. just before execution (``CostCheck``, which needs the variables): the ``first`` cap, the
   length of every list argument (``max_list_items``, in literals and variables: 100,000 ids
   in ``nodes`` or a filter used to reach PostgreSQL's 32,767-parameter limit as INTERNAL
   after seconds of work) and the calculated cost of ``schema.core.cost``. A client that asks
   for it gets the cost in the response's ``extensions.cost``.

The validation rule class is built once per ``QueryLimits``, so the validation cache keeps
hitting. Every cache here is bounded.
"""
from __future__ import annotations

import hashlib
import math
import re
import time
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    ListValueNode,
    ValidationContext,
    ValidationRule,
    Visitor,
    parse,
    visit,
)
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from schema.core.cost import CostRules, QueryCost, expanded_field_count, merge_pairs, query_cost
from schema.core.errors import TopLevelCode
from schema.core.extensions import selects_introspection
from server.api_key_check import api_key_steps
from server.budget_script import Step
from server.cost_budget import budget_steps, charge_time, cost_charge, run_budget_steps, time_wait
from server.rate_limit import NOT_COUNTED, RateCheck


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2_000
    max_expanded_fields: int = 5_000
    max_cost: int = 10_000
    max_merge_pairs: int = 500
    max_list_items: int = 500
    cost_rules: CostRules = field(default_factory=CostRules)


DEFAULT_LIMITS = QueryLimits()


def too_complex(message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": TopLevelCode.QUERY_TOO_COMPLEX.value, **extensions})


# -- 1. tokens and the parser cache ------------------------------------------------

_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted."  # graphql-core's wording for its token limit
PARSE_CACHE_SIZE = 256

_cached_parse = lru_cache(maxsize=PARSE_CACHE_SIZE)(parse)


def parse_cached(ctx: Any, max_tokens: int) -> None:
    """Before parsing: the token limit for Strawberry's parse, and the cached document when the text parses.

    Not Strawberry's ``ParserCache``: it parses inside its hook, so a syntax error escapes the
    hook instead of becoming a pre-execution error (on a WebSocket it escapes the operation).
    Here a failed cached parse is left to Strawberry, which parses again and reports it.
    """
    ctx.parse_options["max_tokens"] = max_tokens
    if ctx.graphql_document is None and ctx.query:
        with suppress(GraphQLError):
            ctx.graphql_document = _cached_parse(ctx.query, max_tokens=max_tokens)


def code_token_limit(ctx: Any, max_tokens: int) -> None:
    """After parsing: the token limit's syntax error answers QUERY_TOO_COMPLEX."""
    for error in ctx.pre_execution_errors or ():
        if isinstance(error, GraphQLSyntaxError) and _TOKEN_LIMIT_MESSAGE in error.message:
            error.extensions = {
                **(error.extensions or {}),
                "code": TopLevelCode.QUERY_TOO_COMPLEX.value,
                "maxTokens": max_tokens,
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
            depth_rule(reporter)
            aliases_rule(reporter)

    return QueryShapeRule


def expansion_error(document: DocumentNode, limits: QueryLimits) -> GraphQLError | None:
    fields = expanded_field_count(document)
    if fields > limits.max_expanded_fields:
        return too_complex(f"The query selects {fields} fields once fragments are expanded;"
                           f" the maximum is {limits.max_expanded_fields}.")
    pairs = merge_pairs(document, stop_at=limits.max_merge_pairs)
    if pairs > limits.max_merge_pairs:
        return too_complex(f"The query repeats the same fields too often (over {limits.max_merge_pairs}"
                           " pairs to merge). Select each field once per object.")
    return None


# -- 2b. before validation: the gate, and a cache that ignores insignificant characters ---------


def _refuse_before_validation(ctx: Any, error: GraphQLError) -> None:
    """Strawberry skips validation when ``pre_execution_errors`` is already set."""
    ctx.pre_execution_errors = [error]


def gate(ctx: Any, limits: QueryLimits) -> None:
    """Before validation: introspection when turned off, fragment expansion and merge pairs."""
    document = ctx.graphql_document
    if ctx.pre_execution_errors is None and document is not None:
        error = _gate_error(ctx, document, limits)
        if error is not None:
            _refuse_before_validation(ctx, error)


def _gate_error(ctx: Any, document: DocumentNode, limits: QueryLimits) -> GraphQLError | None:
    settings = getattr(ctx.context, "settings", None)
    if settings is not None and not settings.introspection and selects_introspection(document):
        return GraphQLError("Introspection is disabled on this server (ALMANAC_INTROSPECTION=false).",
                            extensions={"code": TopLevelCode.VALIDATION.value})
    return checked_expansion(document, limits)


def checked_expansion(document: DocumentNode, limits: QueryLimits) -> GraphQLError | None:
    """``expansion_error``, walked once per parsed document: a document that passed is remembered."""
    if _within_limits.holds(document, limits):
        return None
    error = expansion_error(document, limits)
    if error is None:
        _within_limits.remember(document, limits)
    return error


class _WithinLimits:
    """Documents known to pass ``expansion_error``, by identity (cleared when full): parsed
    documents come from the parser's LRU cache, so a repeated query is the same DocumentNode
    and need not be walked again. (A DocumentNode's own hash and equality walk the whole tree.)"""

    def __init__(self, size: int) -> None:
        self.size = size
        self.documents: dict[int, tuple[DocumentNode, QueryLimits]] = {}

    def holds(self, document: DocumentNode, limits: QueryLimits) -> bool:
        known = self.documents.get(id(document))
        return known is not None and known[0] is document and known[1] is limits

    def remember(self, document: DocumentNode, limits: QueryLimits) -> None:
        if len(self.documents) >= self.size:
            self.documents.clear()
        self.documents[id(document)] = (document, limits)  # the document kept alive: its id stays its own


_within_limits = _WithinLimits(PARSE_CACHE_SIZE)


_INSIGNIFICANT = re.compile(r"[\s,]+")
_SPACED_PUNCTUATOR = re.compile(r" ?([{}()\[\]:!=@$|&.]) ?")
VALIDATION_CACHE_SIZE = 256


@lru_cache(maxsize=VALIDATION_CACHE_SIZE)
def normalized_key(query: str) -> str | None:
    """The query without insignificant characters (whitespace and commas between tokens: one
    space between two names, none next to a punctuator); None when it holds a string or a
    comment, where they can matter. Memoized: clients repeat the same texts."""
    if '"' in query or "#" in query:
        return None
    return _SPACED_PUNCTUATOR.sub(r"\1", _INSIGNIFICANT.sub(" ", query)).strip()


class _ValidationResults:
    """A bounded LRU of validation results: valid documents by normalized text, others by exact text
    (so the locations in a cached error always point into the query that was sent)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[GraphQLError] | None:
        errors = self.entries.get(key)
        if errors is not None:
            self.entries.move_to_end(key)
        return errors

    def put(self, key: tuple[Any, ...], errors: list[GraphQLError]) -> None:
        self.entries[key] = errors
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_validation_results = _ValidationResults(VALIDATION_CACHE_SIZE)


def validate_cached(ctx: Any) -> None:
    """Validation through the cache; Strawberry then skips its own (``pre_execution_errors`` is set)."""
    if ctx.pre_execution_errors is None and ctx.graphql_document is not None and ctx.query:
        schema: GraphQLSchema = ctx.schema._schema
        rules = tuple(ctx.validation_rules)
        normalized = normalized_key(ctx.query)
        exact_key = (id(schema), rules, "exact", ctx.query)
        normal_key = (id(schema), rules, "normal", normalized) if normalized is not None else None
        cached = _validation_results.get(normal_key) if normal_key else None
        if cached is None:
            cached = _validation_results.get(exact_key)
        if cached is None:
            cached = validate_document(schema, ctx.graphql_document, rules)
            _validation_results.put(normal_key if normal_key and not cached else exact_key, cached)
        ctx.pre_execution_errors = cached


# -- 3. cost ------------------------------------------------------------------------


COST_REQUEST_KEY = "cost"


class CostCheck:
    """One operation's cost: refused over ``max_cost`` before it executes, then charged to the
    caller's budget (``server.cost_budget``) when the context offers one; an operation that no
    longer fits is refused with RATE_LIMITED.

    A client that sends ``"extensions": {"cost": true}`` in its request gets
    ``"extensions": {"cost": {"requested": N, "limit": M, "budget": {...}}}`` in the response
    (opt-in, so ordinary responses stay plain ``{"data": ...}``); a rejection always names
    both numbers.

    Its budgets (and an API key's count) go to Redis with the operation's request count when the
    same text, from the same kind of caller, reached them before (``predict``): one round trip in
    all. Otherwise ``before`` sends them on their own.
    """

    __slots__ = ("budget", "cleared", "cost", "keyed", "limits", "predicted", "reach_key")

    def __init__(self, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.cost: QueryCost | None = None
        self.budget: Any = None
        self.predicted: QueryCost | None = None  # its budget steps went with the request count
        self.cleared: QueryCost | None = None  # costed by predict, and refused for nothing
        self.reach_key: ReachKey | None = None  # predict's (its digest walks the text: once an operation)
        self.keyed = False

    def predict(self, ctx: Any) -> list[Step]:
        """At the operation's start: the budget steps ``before`` will need, when this text reached them
        before and its cost passes the limits (for ``hit_rate_limit`` to send with the request count)."""
        key = self.reach_key = _reach_key(ctx)
        self.keyed = True
        document = _reached.get(key) if key is not None else None
        if document is None or getattr(ctx.context, "state", None) is None:
            return []
        cost = _cost_of(ctx.schema._schema, document, ctx._provided_operation_name, ctx.variables,
                        self.limits.cost_rules)
        if self._refusal(document, ctx.variables, cost) is not None:
            return []  # refused before its budgets: nothing to take
        self.cleared = cost  # ``before`` need not cost it or look for a refusal again
        steps = [*api_key_steps(ctx.context), *budget_steps(ctx.context, cost.total)]
        if steps:
            self.predicted = cost
        return steps

    async def before(self, ctx: Any, rate: RateCheck = NOT_COUNTED) -> None:
        """Before execution (raises the refusal as a GraphQLError)."""
        if ctx.graphql_document is None:
            return
        ahead = rate.ahead if self.predicted is not None else None
        # cleared by predict: the same text, operation and variables, so the same cost and no refusal
        if self.cleared is not None:
            self.cost = self.cleared
        else:
            self.cost = _cost_of(ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables,
                                 self.limits.cost_rules)
            refusal = self._refusal(ctx.graphql_document, ctx.variables, self.cost)
            if refusal is not None:
                raise refusal
        _remember_reached(ctx, self.reach_key if self.keyed else _reach_key(ctx))
        outcomes = ahead if ahead is not None else await run_budget_steps(ctx.context, self.cost.total)
        wait = time_wait(outcomes)
        if wait is not None:
            _refuse_for_time(ctx.context, wait)
        self._charge(ctx, self.cost, outcomes)

    async def after(self, ctx: Any, started: float) -> None:
        """After an execution that raised nothing: its time, charged to the time budget."""
        await charge_time(ctx.context, math.ceil(1000 * (time.perf_counter() - started)))

    def _charge(self, ctx: Any, cost: QueryCost, outcomes: dict[str, Any]) -> None:
        self.budget = cost_charge(ctx.context, cost.total, outcomes)
        if self.budget is not None and not self.budget.allowed:
            raise GraphQLError(
                f"Query cost budget used up: this operation costs {cost.total} points and {self.budget.remaining}"
                f" of {self.budget.limit} per minute are left. Retry in {self.budget.retry_after_seconds} s,"
                " or ask for less (smaller windows and pages).",
                extensions={"code": TopLevelCode.RATE_LIMITED.value, "cost": cost.total,
                            "remaining": self.budget.remaining, "retryAfter": self.budget.retry_after_seconds},
            )

    def _refusal(self, document: DocumentNode, variables: dict[str, Any] | None,
                 cost: QueryCost) -> GraphQLError | None:
        """Why the operation is refused before its budgets are taken, or None: the one place that
        decides, for ``before`` (which raises it) and ``predict`` (which then sends no budget step)."""
        rules = self.limits.cost_rules
        if cost.page_violations:
            violation = cost.page_violations[0]
            return GraphQLError(
                f"'first' must be between 0 and {rules.max_page} (got {violation.first} on '{violation.field}').",
                extensions={"code": TopLevelCode.VALIDATION.value, "field": "first", "maxFirst": rules.max_page},
            )
        if cost.total > self.limits.max_cost:
            return too_complex(
                f"Query cost {cost.total} exceeds the maximum of {self.limits.max_cost}."
                " Ask for smaller pages (first) or fewer nested lists.",
                cost=cost.total,
                maxCost=self.limits.max_cost,
            )
        longest, limit = _longest(document, variables), self.limits.max_list_items
        if longest > limit:
            return GraphQLError(
                f"A list argument may hold at most {limit} items (got {longest}). Send it in parts.",
                extensions={"code": TopLevelCode.VALIDATION.value, "maxItems": limit, "items": longest},
            )
        return None

    def results(self, ctx: Any) -> dict[str, Any]:
        requested = (ctx.operation_extensions or {}).get(COST_REQUEST_KEY)
        if self.cost is None or not requested:
            return {}
        cost: dict[str, Any] = {"requested": self.cost.total, "limit": self.limits.max_cost}
        if self.budget is not None:
            cost["budget"] = {"limit": self.budget.limit, "remaining": self.budget.remaining, "period": "minute"}
        return {"cost": cost}


ReachKey = tuple[Any, ...]
REACHED_SIZE = 1_024
_reached: OrderedDict[ReachKey, DocumentNode] = OrderedDict()


def _reach_key(ctx: Any) -> ReachKey | None:
    """What decides whether an operation's text reaches its budgets: the text and operation, and the
    caller's kind (anonymous callers are refused closed fields, API keys their modules' outside)."""
    if not ctx.query:
        return None
    context = ctx.context
    key = getattr(context, "api_key", None)
    scope = (key.id, key.modules, key.requests_per_minute) if key is not None else None
    # The text's digest, not the text: a client may pad a query with whitespace or comments (they
    # count no tokens) up to the body limit, and each variant would keep its text here. The HTTP
    # method's allowed operation types too: a mutation seen over POST is refused over GET.
    digest = hashlib.sha256(ctx.query.encode()).digest()
    return (id(ctx.schema), digest, ctx._provided_operation_name, getattr(context, "user", None) is None, scope,
            frozenset(ctx.allowed_operations))


def _remember_reached(ctx: Any, key: ReachKey | None) -> None:
    """This text reached the budgets (subscriptions can be refused after: not remembered)."""
    if key is None or ctx.operation_type is OperationType.SUBSCRIPTION:
        return
    _reached[key] = ctx.graphql_document
    _reached.move_to_end(key)
    if len(_reached) > REACHED_SIZE:
        _reached.popitem(last=False)


_costs: OrderedDict[tuple[int, int, str | None, int], tuple[DocumentNode, CostRules, QueryCost]] = OrderedDict()


def _cost_of(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
             variables: dict[str, Any] | None, rules: CostRules) -> QueryCost:
    """``query_cost``, remembered per parsed document (the parser cache hands out the same object for
    the same text) when no variables can change it: a cheap query's cost was walked on every request."""
    if variables:
        return query_cost(schema, document, operation_name, variables, rules)
    key = (id(schema), id(document), operation_name, id(rules))
    cached = _costs.get(key)
    if cached is not None and cached[0] is document and cached[1] is rules:
        return cached[2]
    cost = query_cost(schema, document, operation_name, variables, rules)
    _costs[key] = (document, rules, cost)  # both kept alive: their ids stay theirs
    if len(_costs) > PARSE_CACHE_SIZE:
        _costs.popitem(last=False)
    return cost


def longest_list(value: Any) -> int:
    """The length of the longest list anywhere inside a JSON-shaped value (variables)."""
    longest = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            longest = max(longest, len(item))
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return longest


_literal_lists: OrderedDict[int, tuple[DocumentNode, int]] = OrderedDict()


def _longest_literal_list(document: DocumentNode) -> int:
    """Cached per parsed document (the parser cache hands out the same object for the same text):
    a visit of the whole document on every request would tax the cheapest queries."""
    cached = _literal_lists.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    lengths = [0]

    class Lists(Visitor):
        def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
            lengths.append(len(node.values))

    visit(document, Lists())
    _literal_lists[id(document)] = (document, max(lengths))
    if len(_literal_lists) > PARSE_CACHE_SIZE:
        _literal_lists.popitem(last=False)
    return max(lengths)


def _longest(document: DocumentNode, variables: dict[str, Any] | None) -> int:
    return max(longest_list(variables or {}), _longest_literal_list(document))


def _refuse_for_time(context: Any, wait: int) -> None:
    from starlette.responses import Response

    response = getattr(context, "response", None)
    if isinstance(response, Response):
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
    raise GraphQLError(
        f"Your operations used this minute's server time (ALMANAC_TIME_BUDGET). Retry in {wait} s,"
        " or ask for less (smaller windows and pages).",
        extensions={"code": TopLevelCode.RATE_LIMITED.value, "retryAfter": wait},
    )
