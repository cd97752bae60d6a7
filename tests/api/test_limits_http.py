"""The limits, rate limiting and /metrics on the real app, over HTTP."""
from __future__ import annotations

import uuid

import httpx
import pytest

from db.enums import Role
from server.settings import Settings
from tests.conftest import REDIS_URL, SECRET, UserFactory, token_for


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The app under test allows 3 operations a minute per user (in the real Redis)."""
    return Settings(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
                    ALMANAC_RATE_LIMIT="3/minute", ALMANAC_REDIS_NAMESPACE=f"almanac-test-{uuid.uuid4().hex[:8]}")


async def post(client: httpx.AsyncClient, query: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_over_limit_queries_answer_query_too_complex(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    token = token_for(await make_user(Role.STAFF))
    response = await post(client, "query Deep { me { teams { members { user { teams { members { user { teams "
                                  "{ members { user { teams { name } } } } } } } } } } } }", token)
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "depth" in body["errors"][0]["message"]


async def test_the_fourth_operation_in_a_minute_is_rate_limited_with_429(
    client: httpx.AsyncClient, make_user: UserFactory, settings: Settings
) -> None:
    token = token_for(await make_user(Role.STAFF))
    for _ in range(3):
        ok = await post(client, "query Me { me { name } }", token)
        assert ok.status_code == 200 and "errors" not in ok.json()
    limited = await post(client, "query Me { me { name } }", token)
    assert limited.status_code == 429
    body = limited.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert limited.headers["retry-after"] == str(body["errors"][0]["extensions"]["retryAfter"])

    other = await post(client, "query Me { me { name } }", token_for(await make_user(Role.STAFF)))
    assert other.status_code == 200 and "errors" not in other.json()

    metrics = (await client.get("/metrics")).text
    assert 'almanac_graphql_operations_total{operation_name="Me",operation_type="query",outcome="ok"} 4.0' in metrics
    assert ('almanac_graphql_operations_total{operation_name="Me",operation_type="query",outcome="rate_limited"} 1.0'
            in metrics)
    assert 'almanac_graphql_sql_statements_count{operation_name="Me",operation_type="query"} 5.0' in metrics


async def test_metrics_endpoint_serves_prometheus_text(client: httpx.AsyncClient) -> None:
    await post(client, "query Public { publicServices { name } }")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE almanac_graphql_operation_duration_seconds histogram" in response.text
    assert ('almanac_graphql_operation_duration_seconds_count{operation_name="Public",operation_type="query"} 1.0'
            in response.text)
