"""Prometheus metrics per GraphQL operation, one registry per app, served at ``/metrics``.

- ``almanac_graphql_operations_total{operation_name, operation_type, outcome}``
- ``almanac_graphql_operation_duration_seconds{operation_name, operation_type}`` (histogram)
- ``almanac_graphql_sql_statements{operation_name, operation_type}`` (histogram, per operation)
- ``almanac_sql_statements_total{kind}``: every statement this process sent to PostgreSQL
  (``data``, ``transaction`` = BEGIN/COMMIT/ROLLBACK/SAVEPOINT, ``ping``, ``introspection``),
  operations or not (sign-in lookups, the change-log relay, jobs); see ``db.statements``
- ``almanac_gc_seconds_total{generation}``, ``almanac_gc_collections_total{generation}``: the
  garbage collector's cost (``server.gc_tuning``)

``outcome`` is ``ok`` or the lower-cased ``extensions.code`` of the first error
(``query_too_complex``, ``rate_limited``, ``unauthenticated``, ``internal``, ...), ``error``
for an uncoded one. Operation names come from clients, so only well-formed names are
kept, and past ``MAX_OPERATION_NAMES`` distinct ones new names count as ``other``.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionContext

from db import statements
from schema.core.answer_cache import ANSWER_CACHE_KEY, AnswerCache
from schema.core.errors import TopLevelCode
from server.gc_tuning import GcCollector

METRICS_KEY = "metrics"
MAX_OPERATION_NAMES = 200
ANONYMOUS = "anonymous"
OTHER = "other"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_OUTCOMES = frozenset(code.value.lower() for code in TopLevelCode)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377)


class GraphQLMetrics:
    def __init__(self, extras: dict[str, Any] | None = None) -> None:
        extras = {} if extras is None else extras
        self.registry = CollectorRegistry()
        labels = ("operation_name", "operation_type")
        self.operations = Counter(
            "almanac_graphql_operations", "GraphQL operations handled.",
            (*labels, "outcome"), registry=self.registry,
        )
        self.duration = Histogram(
            "almanac_graphql_operation_duration_seconds", "Time from receiving an operation to its result.",
            labels, registry=self.registry,
        )
        self.sql_statements = Histogram(
            "almanac_graphql_sql_statements", "SQL statements run by one operation.",
            labels, buckets=STATEMENT_BUCKETS, registry=self.registry,
        )
        self._names: set[str] = set()
        # (operation, type, outcome) -> its three children; bounded like the names (MAX_OPERATION_NAMES).
        self._children: dict[tuple[str, str, str], tuple[Any, Any, Any]] = {}
        self.registry.register(StatementTotals())
        self.registry.register(GcCollector())
        self.registry.register(AnswerCacheCollector(extras))

    def operation_label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if not _NAME.fullmatch(name):
            return OTHER
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                return OTHER
            self._names.add(name)
        return name

    def observe(self, *, name: str | None, operation_type: str, outcome: str, seconds: float, sql: int) -> None:
        key = (self.operation_label(name), operation_type, outcome)
        children = self._children.get(key)
        if children is None:  # ``labels()`` takes a lock and builds its key each call: resolved once per label set
            labels = key[:2]
            children = self._children[key] = (self.operations.labels(*labels, outcome),
                                              self.duration.labels(*labels), self.sql_statements.labels(*labels))
        operations, duration, sql_statements = children
        operations.inc()
        duration.observe(seconds)
        sql_statements.observe(sql)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class StatementTotals(Collector):
    """The process-wide statement tally, read at scrape time."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "almanac_sql_statements", "SQL statements this process sent to PostgreSQL, by kind.", labels=["kind"]
        )
        for kind, total in statements.TOTALS.items():
            family.add_metric([kind], total)
        yield family


class AnswerCacheCollector(Collector):
    """Kept answers (schema.core.answer_cache): how often a calendar or board was answered from one."""

    def __init__(self, extras: dict[str, Any]) -> None:
        self.extras = extras

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        cache: AnswerCache | None = self.extras.get(ANSWER_CACHE_KEY)
        reads = CounterMetricFamily("almanac_answer_cache_reads", "Reads of kept answers, by outcome.",
                                    labels=["outcome"])
        for outcome, total in (("hit", cache.hits if cache else 0), ("miss", cache.misses if cache else 0),
                               ("followed", cache.followed if cache else 0)):
            reads.add_metric([outcome], total)
        yield reads
        yield GaugeMetricFamily("almanac_answer_cache_bytes", "Bytes of kept answers.",
                                value=cache.held_bytes if cache else 0)


def metrics_for(state: Any) -> GraphQLMetrics:
    """The app's metrics (``server.app.AppState``), created on first use."""
    extras: dict[str, Any] = state.extras
    metrics = extras.get(METRICS_KEY)
    if metrics is None:
        metrics = extras[METRICS_KEY] = GraphQLMetrics(extras)
    return metrics


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: the Prometheus text format."""
    metrics = metrics_for(request.app.state.almanac)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def observe_operation(state: Any, ctx: ExecutionContext, outcome: str, started: float, sql: int) -> None:
    """One finished operation in the app's metrics (``started``: its ``time.perf_counter()``)."""
    metrics_for(state).observe(
        name=ctx.operation_name, operation_type=_operation_type(ctx), outcome=outcome,
        seconds=time.perf_counter() - started, sql=sql,
    )


def _operation_type(ctx: ExecutionContext) -> str:
    try:
        return ctx.operation_type.value
    except RuntimeError:  # no parsed document, or no operation of that name
        return "unknown"


def outcome_of(ctx: ExecutionContext) -> str:
    errors = (ctx.result.errors if ctx.result is not None else None) or ctx.pre_execution_errors
    return code_outcome(errors[0]) if errors else "ok"


def code_outcome(error: GraphQLError) -> str:
    code = str((error.extensions or {}).get("code", "")).lower()
    return code if code in _OUTCOMES else "error"
