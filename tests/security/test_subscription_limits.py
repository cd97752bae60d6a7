"""Hole 6: one user cannot hold unbounded subscriptions, on one socket or over many."""
from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import token_for
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    Subscription,
    connect,
    live_settings,
    start_live_server,
)
from tests.realtime.conftest import committed as committed  # the fixture, re-exported here

CHANGED = """subscription { calendarChanged(start: "2026-01-01T00:00:00Z", end: "2026-02-01T00:00:00Z") {
  __typename } }"""


@pytest.fixture
async def capped_server(database_url: str) -> AsyncIterator[LiveServer]:
    server = await start_live_server(live_settings(
        database_url, f"almanac-caps-{uuid.uuid4().hex[:8]}",
        ALMANAC_MAX_SUBSCRIPTIONS_PER_CONNECTION=2, ALMANAC_MAX_SUBSCRIPTIONS_PER_USER=3))
    yield server
    await server.stop()


async def opened(server: LiveServer, token: str) -> Subscription:
    ws = Subscription(await connect(server.ws_url, token))
    assert (await ws.next())["type"] == "connection_ack"
    return ws


async def send_subscribe(ws: Subscription, operation_id: str) -> None:
    await ws.ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": CHANGED}}))


async def refusal(ws: Subscription) -> dict[str, Any]:
    message = await ws.next()
    assert message["type"] in ("error", "next"), message
    payload = message["payload"]
    return payload[0] if isinstance(payload, list) else payload["errors"][0]  # type: ignore[no-any-return]


async def test_subscriptions_are_capped_per_connection_and_per_user(
    capped_server: LiveServer, committed: Committed
) -> None:
    token = token_for(await committed.user())
    first = await opened(capped_server, token)
    for operation_id in ("1", "2"):
        await send_subscribe(first, operation_id)
    await first.nothing_within(0.5)
    await send_subscribe(first, "3")
    assert "limit" in (await refusal(first))["message"].lower()  # per connection

    second = await opened(capped_server, token)
    await send_subscribe(second, "1")
    await second.nothing_within(0.5)
    await send_subscribe(second, "2")
    error = await refusal(second)  # the user's fourth
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["maxSubscriptions"] == 3

    await first.close()
    third = await opened(capped_server, token)
    await send_subscribe(third, "1")
    await third.nothing_within(0.5)  # closing a socket frees its subscriptions' places
    await second.close()
    await third.close()
