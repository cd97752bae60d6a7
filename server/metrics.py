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

import math
import re
import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
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
STATEMENT_BUCKETS: tuple[float, ...] = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377)
# prometheus_client's default histogram buckets, which the duration histogram always had.
DURATION_BUCKETS: tuple[float, ...] = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0)


class Tally:
    """One label set's observations: a count per outcome, and the two histograms' buckets and sums."""

    __slots__ = ("duration_buckets", "duration_sum", "outcomes", "sql_buckets", "sql_sum")

    def __init__(self) -> None:
        self.outcomes: dict[str, int] = {}
        self.duration_buckets = [0] * (len(DURATION_BUCKETS) + 1)  # the last one: above every bound
        self.duration_sum = 0.0
        self.sql_buckets = [0] * (len(STATEMENT_BUCKETS) + 1)
        self.sql_sum = 0


class GraphQLMetrics:
    """Operations counted in plain integers, turned into Prometheus families when ``/metrics`` is read.

    prometheus_client's own counter and histograms take a lock and walk the bucket bounds for
    every observation: five locked increments per operation, ~4 % of a ``{ __typename }``'s CPU
    (issue 12). An operation here is a dictionary lookup, two ``bisect``s and four additions
    (a server process runs its operations on one thread).
    """

    def __init__(self, extras: dict[str, Any] | None = None) -> None:
        extras = {} if extras is None else extras
        self.registry = CollectorRegistry()
        self._names: set[str] = set()
        # (operation, type) -> its tally; bounded like the names (MAX_OPERATION_NAMES).
        self.tallies: dict[tuple[str, str], Tally] = {}
        self.registry.register(OperationFamilies(self.tallies))
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
        key = (self.operation_label(name), operation_type)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally()
        tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1
        tally.duration_buckets[bisect_left(DURATION_BUCKETS, seconds)] += 1  # le: value <= bound
        tally.duration_sum += seconds
        tally.sql_buckets[bisect_left(STATEMENT_BUCKETS, sql)] += 1
        tally.sql_sum += sql

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class OperationFamilies(Collector):
    """The tallies as ``almanac_graphql_operations_total`` and the two histograms, at scrape time."""

    def __init__(self, tallies: dict[tuple[str, str], Tally]) -> None:
        self.tallies = tallies

    def collect(self) -> Iterator[CounterMetricFamily | HistogramMetricFamily]:
        labels = ["operation_name", "operation_type"]
        operations = CounterMetricFamily("almanac_graphql_operations", "GraphQL operations handled.",
                                         labels=[*labels, "outcome"])
        duration = HistogramMetricFamily("almanac_graphql_operation_duration_seconds",
                                         "Time from receiving an operation to its result.", labels=labels)
        sql = HistogramMetricFamily("almanac_graphql_sql_statements", "SQL statements run by one operation.",
                                    labels=labels)
        for key, tally in list(self.tallies.items()):
            for outcome, count in tally.outcomes.items():
                operations.add_metric([*key, outcome], count)
            duration.add_metric(list(key), cumulative(DURATION_BUCKETS, tally.duration_buckets), tally.duration_sum)
            sql.add_metric(list(key), cumulative(STATEMENT_BUCKETS, tally.sql_buckets), tally.sql_sum)
        yield operations
        yield duration
        yield sql


def cumulative(bounds: tuple[float, ...], counts: list[int]) -> list[tuple[str, float]]:
    """Per-bucket counts as Prometheus's cumulative ``le`` buckets, ``+Inf`` last."""
    buckets: list[tuple[str, float]] = []
    total = 0
    for bound, count in zip((*bounds, math.inf), counts, strict=True):
        total += count
        buckets.append(("+Inf" if bound == math.inf else repr(float(bound)), total))  # 1 -> "1.0", as prometheus_client
    return buckets


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
