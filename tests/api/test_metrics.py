"""Prometheus metrics per operation: counts, latency, SQL statements, one registry per app."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.routing import Route

from db import statements
from server.metrics import MAX_OPERATION_NAMES, GraphQLMetrics, metrics_endpoint, metrics_for
from server.settings import Settings
from tests.api.limits_schema import ContextStub, StateStub, UserStub, run
from tests.conftest import PG_ADMIN_URL

PG_URL = PG_ADMIN_URL  # the configured PostgreSQL, or the embedded one on a bare machine


@pytest.fixture
async def sql_engine() -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(PG_URL, poolclass=NullPool)
    statements.install(engine.sync_engine)
    yield engine
    await engine.dispose()


def new_state() -> StateStub:
    return StateStub(settings=Settings(ALMANAC_RATE_LIMIT="off"))


def caller(state: StateStub, engine: AsyncEngine | None = None) -> ContextStub:
    return ContextStub(state=state, user=UserStub(id=1), engine=engine)


async def scrape(state: StateStub) -> str:
    app = Starlette(routes=[Route("/metrics", metrics_endpoint)])
    app.state.almanac = state
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample, whatever the order of its labels."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)\{(.*)\} (\S+)", line)
        if match and match.group(1) == name:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2)))
            if found == labels:
                return float(match.group(3))
    return None


async def test_operations_are_counted_timed_and_labelled(sql_engine: AsyncEngine) -> None:
    state = new_state()
    context = caller(state, sql_engine)
    assert (await run("query CountStatements { statements }", context)).errors is None
    assert (await run("query CountStatements { statements }", context)).errors is None
    assert (await run("mutation Touch { touch }", context)).errors is None
    assert (await run("query TooBig { items(first: 100) { nodes { children(first: 100) { nodes { id } } } } }",
                      context)).errors
    assert (await run("{ tags { name } }", context)).errors is None

    text = await scrape(state)
    q = {"operation_name": "CountStatements", "operation_type": "query"}
    assert sample(text, "almanac_graphql_operations_total", **q, outcome="ok") == 2.0
    assert sample(text, "almanac_graphql_operation_duration_seconds_count", **q) == 2.0
    assert sample(text, "almanac_graphql_sql_statements_count", **q) == 2.0
    assert sample(text, "almanac_graphql_sql_statements_sum", **q) == 4.0  # two SELECTs each
    assert sample(text, "almanac_graphql_sql_statements_bucket", **q, le="1.0") == 0.0
    assert sample(text, "almanac_graphql_sql_statements_bucket", **q, le="2.0") == 2.0
    assert sample(text, "almanac_graphql_operations_total", operation_name="Touch", operation_type="mutation",
                  outcome="ok") == 1.0
    assert sample(text, "almanac_graphql_operations_total", operation_name="TooBig", operation_type="query",
                  outcome="query_too_complex") == 1.0
    assert sample(text, "almanac_graphql_operations_total", operation_name="anonymous", operation_type="query",
                  outcome="ok") == 1.0
    assert sample(text, "almanac_graphql_sql_statements_sum", operation_name="anonymous",
                  operation_type="query") == 0.0


async def test_statements_still_reach_an_enclosing_counter(sql_engine: AsyncEngine) -> None:
    state = new_state()
    with statements.counting() as outer:
        assert (await run("query Inner { statements }", caller(state, sql_engine))).errors is None
    assert outer.count == 2
    text = await scrape(state)
    assert sample(text, "almanac_graphql_sql_statements_sum", operation_name="Inner", operation_type="query") == 2.0


async def test_a_syntax_error_is_counted_as_validation_with_an_unknown_type() -> None:
    state = new_state()
    assert (await run("{ tags { name ", caller(state))).errors
    text = await scrape(state)
    assert sample(text, "almanac_graphql_operations_total", operation_name="anonymous", operation_type="unknown",
                  outcome="validation") == 1.0


async def test_each_app_state_has_its_own_registry() -> None:
    first, second = new_state(), new_state()
    await run("query OnlyFirst { tags { name } }", caller(first))
    assert metrics_for(first) is not metrics_for(second)
    assert metrics_for(first).registry is not metrics_for(second).registry
    assert 'operation_name="OnlyFirst"' in await scrape(first)
    assert 'operation_name="OnlyFirst"' not in await scrape(second)


def test_operation_names_are_bounded() -> None:
    metrics = GraphQLMetrics()
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label('x"} 1\nfake_metric{') == "other"
    labels = [metrics.operation_label(f"Op{n}") for n in range(MAX_OPERATION_NAMES + 5)]
    assert labels[:MAX_OPERATION_NAMES] == [f"Op{n}" for n in range(MAX_OPERATION_NAMES)]
    assert set(labels[MAX_OPERATION_NAMES:]) == {"other"}
    assert metrics.operation_label("Op0") == "Op0"  # names already seen keep their label


def test_the_plain_tallies_expose_what_prometheus_clients_own_metrics_would() -> None:
    """Same samples (buckets, sums, counts) as prometheus_client's Counter and Histograms, which they replace."""
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

    from server.metrics import DURATION_BUCKETS, STATEMENT_BUCKETS

    ours = GraphQLMetrics()
    registry = CollectorRegistry()
    labels = ("operation_name", "operation_type")
    operations = Counter("almanac_graphql_operations", "GraphQL operations handled.", (*labels, "outcome"),
                         registry=registry)
    duration = Histogram("almanac_graphql_operation_duration_seconds", "Time from receiving an operation to its result.",
                         labels, buckets=DURATION_BUCKETS, registry=registry)
    sql = Histogram("almanac_graphql_sql_statements", "SQL statements run by one operation.", labels,
                    buckets=STATEMENT_BUCKETS, registry=registry)
    for n, (seconds, statements_run) in enumerate([(0.0, 0), (0.005, 1), (0.0051, 2), (1.0, 4), (3.0, 377), (99.0, 400)]):
        name, outcome = ("Tasks", "ok") if n % 2 else (None, "validation")
        ours.observe(name=name, operation_type="query", outcome=outcome, seconds=seconds, sql=statements_run)
        label = name or "anonymous"
        operations.labels(label, "query", outcome).inc()
        duration.labels(label, "query").observe(seconds)
        sql.labels(label, "query").observe(statements_run)

    def samples(text: bytes) -> set[str]:
        return {line for line in text.decode().splitlines()
                if line.startswith("almanac_graphql") and "_created" not in line}

    expected = samples(generate_latest(registry))
    assert len(expected) == 2 * (17 + 17) + 2  # two label sets of two histograms (15 buckets, count, sum), two counts
    assert samples(ours.exposition()) == expected
