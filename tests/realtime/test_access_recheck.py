"""Open websockets re-check their user: closed with 4403 once the user is deactivated (at
once, through the change log's User change, or by the periodic re-check), their role
or password changes, or their token expires."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import websockets
from sqlalchemy import update

from db.enums import ChangeOp, Role
from db.models import User
from db.queries.logs import record_change
from server.auth import ALGORITHM
from tests.conftest import DEFAULT_PASSWORD, SECRET
from tests.realtime.conftest import (
    LEGACY,
    MODERN,
    RECEIVE_TIMEOUT,
    Committed,
    LiveServer,
    WireProtocol,
    connect,
    live_settings,
    post_graphql,
    registered,
    start_live_server,
    subscribe,
    wait_subscribed,
)

TASK_CHANGED = "subscription { taskChanged { cursor op taskId } }"


@pytest.fixture
async def quick_server(database_url: str, realtime_namespace: str) -> AsyncIterator[LiveServer]:
    """A server that re-checks every open connection twice a second."""
    server = await start_live_server(
        live_settings(database_url, realtime_namespace, ALMANAC_SUBSCRIPTION_RECHECK_SECONDS=0.5)
    )
    yield server
    await server.stop()


async def close_code(ws: Any, timeout: float = RECEIVE_TIMEOUT) -> int | None:  # noqa: ASYNC109 one deadline
    """Read until the server closes; the close code it sent."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


async def set_active(committed: Committed, user: User, active: bool, *, log_change: bool) -> None:
    async with committed.sessionmaker() as session:
        await session.execute(update(User).where(User.id == user.id).values(is_active=active))
        if log_change:
            await record_change(session, "User", user.id, ChangeOp.UPDATED, {"is_active": active})
        await session.commit()


@pytest.mark.parametrize("protocol", [MODERN, LEGACY], ids=["graphql-transport-ws", "graphql-ws"])
async def test_deactivation_closes_open_subscriptions_at_once(
    live_server: LiveServer, committed: Committed, protocol: WireProtocol
) -> None:
    # given a subscriber on a server that re-checks only every 60 s, and a bystander
    user = await committed.user()
    bystander = await committed.user()
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED, protocol=protocol)
    other = await subscribe(live_server.ws_url, bystander, TASK_CHANGED, protocol=protocol)
    await wait_subscribed(live_server, before)
    # when an admin deactivates the user (which writes a User change)
    await set_active(committed, user, False, log_change=True)
    # then the user's connection closes with 4403 well before the periodic re-check
    assert await close_code(sub.ws, timeout=10) == 4403
    # and the bystander's stays open
    await other.nothing_within(0.5)
    await other.close()


async def test_the_periodic_recheck_closes_a_deactivated_user(quick_server: LiveServer, committed: Committed) -> None:
    # given a subscriber
    user = await committed.user()
    before = registered(quick_server)
    sub = await subscribe(quick_server.ws_url, user, TASK_CHANGED)
    await wait_subscribed(quick_server, before)
    # when the user is deactivated without any change row (say, straight in the database)
    await set_active(committed, user, False, log_change=False)
    # then the next re-check closes the connection with 4403
    assert await close_code(sub.ws) == 4403


async def test_a_role_change_closes_open_subscriptions(live_server: LiveServer, committed: Committed) -> None:
    # given a MANAGER's subscription
    user = await committed.user(Role.MANAGER)
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED)
    await wait_subscribed(live_server, before)
    # when the user is demoted (a User change)
    async with committed.sessionmaker() as session:
        await session.execute(update(User).where(User.id == user.id).values(role=Role.STAFF))
        await record_change(session, "User", user.id, ChangeOp.UPDATED, {"role": Role.STAFF.value})
        await session.commit()
    # then it must reconnect: its subscriptions were filtered for a manager
    assert await close_code(sub.ws, timeout=10) == 4403


async def test_an_expired_token_closes_the_connection(quick_server: LiveServer, committed: Committed) -> None:
    # given a connection made with a token valid for two more seconds
    user = await committed.user()
    now = datetime.now(UTC)
    token = jwt.encode({"sub": str(user.id), "iat": now, "exp": now + timedelta(seconds=2)}, SECRET,
                       algorithm=ALGORITHM)
    ws = await connect(quick_server.ws_url, token)
    assert json.loads(await asyncio.wait_for(ws.recv(), timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": TASK_CHANGED}}))
    # then once it expires the server closes with 4403
    assert await close_code(ws) == 4403


CHANGE_PASSWORD = """mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { token errors { code } }
}"""


async def test_a_password_change_closes_the_user_s_open_subscriptions(
    live_server: LiveServer, committed: Committed
) -> None:
    # given a subscriber on a server that re-checks only every 60 s
    user = await committed.user()
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED)
    await wait_subscribed(live_server, before)
    # when the user changes their password (over HTTP, with the same token)
    changed = await post_graphql(live_server.http_url, CHANGE_PASSWORD,
                                 {"current": DEFAULT_PASSWORD, "new": "a brand new password"}, user)
    assert changed["data"]["changePassword"]["errors"] == []
    # then the connection made with the old token closes with 4403, long before the periodic re-check
    assert await close_code(sub.ws, timeout=10) == 4403
    # and the token the mutation answered opens a new one
    ws = await connect(live_server.ws_url, changed["data"]["changePassword"]["token"])
    assert json.loads(await asyncio.wait_for(ws.recv(), timeout=RECEIVE_TIMEOUT))["type"] == "connection_ack"
    await ws.close()
