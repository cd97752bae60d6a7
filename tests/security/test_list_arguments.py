"""Every list argument is bounded (``QueryLimits.max_list_items``), in variables and literals.

100,000 ids in ``nodes`` used to run for seconds and end as INTERNAL (PostgreSQL's
32,767-parameter limit); a long filter list did the same.
"""
from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx

from db.enums import Role
from schema.core.limits import DEFAULT_LIMITS
from tests.conftest import UserFactory, token_for
from tests.realtime.conftest import (
    Committed,
    Subscription,
    connect,
    live_settings,
    start_live_server,
)
from tests.realtime.conftest import committed as committed  # the fixture, re-exported here

LIMIT = DEFAULT_LIMITS.max_list_items


def task_ids(count: int) -> list[str]:
    return [base64.b64encode(f"Task:{n}".encode()).decode() for n in range(1, count + 1)]


async def post(client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def signed_in(make_user: UserFactory) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(await make_user(Role.STAFF))}"}


async def test_nodes_with_more_ids_than_the_limit_is_a_validation_error(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    headers = await signed_in(make_user)
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    at_limit = await post(client, headers, query, ids=task_ids(LIMIT))
    assert "errors" not in at_limit and len(at_limit["data"]["nodes"]) == LIMIT

    over = await post(client, headers, query, ids=task_ids(100_000))
    assert over["data"] is None
    error = over["errors"][0]
    assert error["extensions"] == {"code": "VALIDATION", "maxItems": LIMIT, "items": 100_000}
    assert f"at most {LIMIT} items" in error["message"]


async def test_a_long_list_nested_in_a_filter_variable_is_refused(
    client: httpx.AsyncClient, make_user: UserFactory
) -> None:
    headers = await signed_in(make_user)
    team_ids = [base64.b64encode(f"Team:{n}".encode()).decode() for n in range(40_000)]
    body = await post(client, headers, "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }",
                      f={"teamIds": team_ids})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert body["errors"][0]["extensions"]["items"] == 40_000


async def test_a_long_literal_list_is_refused_too(client: httpx.AsyncClient, make_user: UserFactory) -> None:
    headers = await signed_in(make_user)
    ids = ", ".join(f'"{gid}"' for gid in task_ids(LIMIT + 1))
    response = await client.post("/graphql", json={"query": f"{{ nodes(ids: [{ids}]) {{ id }} }}"}, headers=headers)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "maxItems": LIMIT, "items": LIMIT + 1}


async def test_a_subscription_with_a_long_list_is_refused_too(database_url: str, committed: Committed) -> None:
    server = await start_live_server(live_settings(database_url, f"almanac-lists-{uuid.uuid4().hex[:8]}"))
    try:
        ws = Subscription(await connect(server.ws_url, token_for(await committed.user())))
        assert (await ws.next())["type"] == "connection_ack"
        query = """subscription($m: [CalendarModule!]) { calendarChanged(start: "2026-01-01T00:00:00Z",
            end: "2026-02-01T00:00:00Z", modules: $m) { __typename } }"""
        await ws.ws.send(json.dumps({"id": "1", "type": "subscribe",
                                     "payload": {"query": query, "variables": {"m": ["TASKS"] * (LIMIT + 1)}}}))
        message = await ws.next()
        assert message["type"] in ("error", "next"), message
        payload = message["payload"]
        error = payload[0] if isinstance(payload, list) else payload["errors"][0]
        assert error["extensions"] == {"code": "VALIDATION", "maxItems": LIMIT, "items": LIMIT + 1}
        await ws.ws.close()
    finally:
        await server.stop()
