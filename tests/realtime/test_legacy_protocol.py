"""The legacy ``graphql-ws`` subprotocol is as safe as graphql-transport-ws: same
authentication in ``connection_init``, same per-user filtering, no query/mutation
bypass, same slow-consumer bound and shutdown close; over real websockets against
uvicorn, PostgreSQL and Redis."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import websockets
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Event, Task
from tests.conftest import token_for
from tests.realtime.conftest import (
    LEGACY,
    RECEIVE_TIMEOUT,
    Committed,
    LiveServer,
    Subscription,
    connect,
    head_cursor,
    live_settings,
    post_graphql,
    registered,
    start_live_server,
    subscribe,
    wait_subscribed,
)
from tests.realtime.test_subscriptions import (
    CALENDAR_CHANGED,
    CREATE_EVENT,
    CREATE_TASK,
    TASK_CHANGED,
    WINDOW_END,
    WINDOW_START,
    _pk,
)

ME = "{ me { email } }"


async def messages_until_closed(ws: Any) -> tuple[list[dict[str, Any]], int | None]:
    """Every message the server sends, and the close code it ends with."""
    received: list[dict[str, Any]] = []
    try:
        while True:
            received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=RECEIVE_TIMEOUT)))
    except websockets.ConnectionClosed as closed:
        return received, closed.rcvd.code if closed.rcvd is not None else None


def start(operation_id: str, query: str) -> str:
    return json.dumps({"id": operation_id, "type": "start", "payload": {"query": query, "variables": {}}})


async def tasks_titled(committed: Committed, title: str) -> int:
    async with committed.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Task).where(Task.title == title)) or 0)


@contextmanager
def connection_init_wait(server: LiveServer, seconds: float) -> Iterator[None]:
    view = server.app.graphql
    before = view.connection_init_wait_timeout
    view.connection_init_wait_timeout = timedelta(seconds=seconds)
    try:
        yield
    finally:
        view.connection_init_wait_timeout = before


# -- (1) authentication in connection_init ---------------------------------------------------
async def test_a_connection_without_a_valid_token_is_refused_and_gets_no_data(
    live_server: LiveServer, committed: Committed
) -> None:
    # given tokens that are missing, malformed, or of a user that no longer exists
    gone = await committed.user()
    gone_token = token_for(gone)
    await committed.cleanup()
    committed.rows.clear()
    for token in (None, "not-a-jwt", gone_token):
        # when a client sends connection_init and, right behind it, a subscription
        ws = await connect(live_server.ws_url, token, LEGACY)
        await ws.send(start("1", TASK_CHANGED))
        # then it gets connection_error and a close, never an ack or data
        received, code = await messages_until_closed(ws)
        assert received == [{"type": "connection_error",
                             "payload": {"reason": "A valid bearer token is required in connection_init."}}], token
        assert code == 1011


async def test_start_before_connection_init_is_closed_4401(live_server: LiveServer) -> None:
    ws = await websockets.connect(live_server.ws_url, subprotocols=[LEGACY.name])  # type: ignore[list-item]
    await ws.send(start("1", TASK_CHANGED))
    assert await messages_until_closed(ws) == ([], 4401)


async def test_a_second_connection_init_cannot_switch_the_user(live_server: LiveServer, committed: Committed) -> None:
    # given a connection acknowledged for alice
    alice, bob = await committed.user(), await committed.user()
    ws = await connect(live_server.ws_url, token_for(alice), LEGACY)
    assert (await Subscription(ws, LEGACY).next())["type"] == "connection_ack"
    # when it sends connection_init again with bob's token
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token_for(bob)}"}}))
    # then it is closed as graphql-transport-ws would (4429), not re-acknowledged as bob
    received, code = await messages_until_closed(ws)
    assert [m for m in received if m["type"] != LEGACY.keep_alive] == []
    assert code == 4429


async def test_a_connection_that_never_initialises_is_closed_4408(live_server: LiveServer) -> None:
    with connection_init_wait(live_server, 0.3):
        ws = await websockets.connect(live_server.ws_url, subprotocols=[LEGACY.name])  # type: ignore[list-item]
        assert await messages_until_closed(ws) == ([], 4408)


@pytest.mark.parametrize("message", [
    {"type": "start", "id": "1"},
    {"type": "start", "id": "1", "payload": {"variables": {}}},
    {"type": "stop"},
    {"id": "1"},
    [1, 2],
])
async def test_a_malformed_message_is_closed_4400(live_server: LiveServer, committed: Committed, message: Any) -> None:
    user = await committed.user()
    ws = await connect(live_server.ws_url, token_for(user), LEGACY)
    await ws.send(json.dumps(message))
    received, code = await messages_until_closed(ws)
    assert [m["type"] for m in received if m["type"] != LEGACY.keep_alive] == ["connection_ack"]
    assert code == 4400


# -- (2) and (3) delivery and per-user filtering -----------------------------------------------
async def test_a_committed_mutation_reaches_a_legacy_subscriber(live_server: LiveServer, committed: Committed) -> None:
    # given a legacy subscriber registered on the live feed
    user = await committed.user()
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED, protocol=LEGACY)
    await wait_subscribed(live_server, before)
    # when a real createTask mutation commits
    created = await post_graphql(live_server.http_url, CREATE_TASK, {"input": {"title": "Legacy live"}}, user)
    assert created["data"]["createTask"]["errors"] == []
    task_gid = created["data"]["createTask"]["task"]["id"]
    committed.rows.append(Task(id=_pk(task_gid)))
    # then it arrives as a graphql-ws "data" message
    data = (await sub.data())["taskChanged"]
    assert data == {"cursor": data["cursor"], "op": "CREATED", "taskId": task_gid,
                    "task": {"title": "Legacy live", "status": "TODO"}}
    await sub.close()


async def test_another_users_private_event_is_not_delivered(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given alice subscribed (legacy) to a calendar window
    alice, bob = await committed.user(), await committed.user()
    variables = {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat(), "after": await head_cursor(engine)}
    alice_sub = await subscribe(live_server.ws_url, alice, CALENDAR_CHANGED, variables, protocol=LEGACY)
    # when bob creates a PRIVATE event, then an INTERNAL one, through the real mutation
    created_ids = []
    for title, visibility, day in (("Bob private", "PRIVATE", 2), ("Team sync", "INTERNAL", 3)):
        begins = WINDOW_START + timedelta(days=day, hours=9)
        created = await post_graphql(live_server.http_url, CREATE_EVENT, {"input": {
            "title": title, "start": begins.isoformat(), "end": (begins + timedelta(hours=1)).isoformat(),
            "visibility": visibility,
        }}, bob)
        assert created["data"]["createEvent"]["errors"] == [], created
        created_ids.append(created["data"]["createEvent"]["event"]["id"])
        committed.rows.append(Event(id=_pk(created_ids[-1])))
    # then alice's first (and only) change is the INTERNAL one
    first = (await alice_sub.data())["calendarChanged"]
    assert (first["sourceId"], [e["title"] for e in first["entries"]]) == (created_ids[1], ["Team sync"])
    await alice_sub.nothing_within(1.0)
    await alice_sub.close()


# -- (4) queries and mutations over the socket ----------------------------------------------------
async def test_queries_and_mutations_sent_as_start_are_not_executed(
    live_server: LiveServer, committed: Committed
) -> None:
    title = f"sneaked-{uuid.uuid4().hex[:8]}"
    mutation = f'mutation {{ createTask(input: {{title: "{title}"}}) {{ task {{ id }} errors {{ code }} }} }}'
    # without connection_init, or after a refused one, the socket closes before anything runs
    bare = await websockets.connect(live_server.ws_url, subprotocols=[LEGACY.name])  # type: ignore[list-item]
    await bare.send(start("1", mutation))
    assert await messages_until_closed(bare) == ([], 4401)
    refused = await connect(live_server.ws_url, "not-a-jwt", LEGACY)
    await refused.send(start("1", ME))
    await refused.send(start("2", mutation))
    received, _ = await messages_until_closed(refused)
    assert [m["type"] for m in received] == ["connection_error"]
    # an authenticated connection may only subscribe: a query or mutation is an error, never run
    user = await committed.user()
    ws = Subscription(await connect(live_server.ws_url, token_for(user), LEGACY), LEGACY)
    assert (await ws.next())["type"] == "connection_ack"
    await ws.ws.send(start("1", ME))
    # (every error carries extensions.code, also on the websocket: see schema/core/extensions.py)
    assert await ws.next() == {"type": "error", "id": "1", "payload": {
        "message": "queries are not allowed", "extensions": {"code": "VALIDATION"}}}
    await ws.ws.send(start("2", mutation))
    assert await ws.next() == {"type": "error", "id": "2", "payload": {
        "message": "mutations are not allowed", "extensions": {"code": "VALIDATION"}}}
    await ws.close()
    assert await tasks_titled(committed, title) == 0


# -- (5) the slow-consumer bound and shutdown ----------------------------------------------------
# The slow-consumer bound is tested for both protocols in test_relay.py.


async def test_stopping_the_server_closes_legacy_subscriptions_with_a_close_frame(
    database_url: str, realtime_namespace: str, committed: Committed
) -> None:
    # given a legacy subscriber on a server of its own
    server = await start_live_server(live_settings(database_url, realtime_namespace))
    user = await committed.user()
    sub = await subscribe(server.ws_url, user, TASK_CHANGED, protocol=LEGACY)
    await wait_subscribed(server, set())
    # when the server shuts down
    stopping = asyncio.create_task(server.stop())
    # then the client gets a close frame (1012 from uvicorn, or 1001 from the broker)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await sub.next(timeout=30)
    await stopping
    assert closed.value.rcvd is not None and closed.value.rcvd.code in {1001, 1012}
