"""Real servers for subscription tests: uvicorn in this process (or as subprocesses),
real PostgreSQL (committed data, cleaned up) and real Redis, real websocket clients.

All in-process servers of a test run share one Redis namespace: the relay leader
is elected per database, so every server on the test database must publish on
the same channel (one namespace per database, as in production).
"""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import ChangeOp, Role
from db.models import ChangeLog, User
from db.queries.logs import record_change
from server.app import AlmanacApp
from server.fanout import Member
from server.realtime import Realtime
from server.settings import Settings
from server.subscriber import Subscriber
from server.ws_protocol import SERVER_WS_OPTIONS
from tests.conftest import (
    DEFAULT_PASSWORD,
    REDIS_URL,
    SECRET,
    free_port,
    password_hash_for,
    token_for,
)

RECEIVE_TIMEOUT = 15.0


@dataclass(frozen=True)
class WireProtocol:
    """The message names of a websocket subprotocol that the helpers below speak."""

    name: str
    subscribe: str
    data: str
    keep_alive: str
    keep_alive_reply: str | None


MODERN = WireProtocol("graphql-transport-ws", subscribe="subscribe", data="next", keep_alive="ping",
                      keep_alive_reply="pong")
LEGACY = WireProtocol("graphql-ws", subscribe="start", data="data", keep_alive="ka", keep_alive_reply=None)
PROTOCOL = MODERN.name


@dataclass
class LiveServer:
    app: AlmanacApp
    server: uvicorn.Server
    task: asyncio.Task[None]
    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def realtime(self) -> Realtime:
        realtime: Realtime = self.app.state.almanac.extras["realtime"]
        return realtime

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.wait_for(self.task, timeout=30)


@pytest.fixture(scope="session")
def realtime_namespace() -> str:
    return f"almanac-rt-{uuid.uuid4().hex[:8]}"


def live_settings(database_url: str, namespace: str, **overrides: Any) -> Settings:
    return Settings(
        DATABASE_URL=database_url, REDIS_URL=REDIS_URL, ALMANAC_SECRET_KEY=SECRET,
        ALMANAC_REDIS_NAMESPACE=namespace, ALMANAC_RELAY_POLL_SECONDS=0.5, **overrides,
    )


async def start_live_server(settings: Settings) -> LiveServer:
    from server.app import create_app

    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **SERVER_WS_OPTIONS)
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return LiveServer(app=app, server=server, task=task, port=port)


@pytest.fixture(scope="session")
async def live_server(database_url: str, realtime_namespace: str) -> AsyncIterator[LiveServer]:
    server = await start_live_server(live_settings(database_url, realtime_namespace))
    yield server
    await server.stop()


@dataclass
class Committed:
    """Rows a test committed, deleted again at teardown (children first)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    rows: list[Any] = field(default_factory=list)

    async def user(self, role: Role = Role.STAFF) -> User:
        suffix = uuid.uuid4().hex[:8]
        user = User(email=f"rt-{suffix}@example.org", name=f"RT {suffix}", role=role,
                    password_hash=password_hash_for(DEFAULT_PASSWORD))
        return await self.add(user)

    async def add(self, row: Any, change: tuple[str, ChangeOp, dict[str, Any]] | None = None) -> Any:
        """Commit ``row`` (and, if given, its change-log row in the same transaction)."""
        async with self.sessionmaker() as session:
            session.add(row)
            await session.flush()
            if change is not None:
                entity_type, op, payload = change
                await record_change(session, entity_type, row.id, op, payload)
            await session.commit()
        self.rows.append(row)
        return row

    async def change(self, entity_type: str, entity_id: int, op: ChangeOp, payload: dict[str, Any]) -> None:
        async with self.sessionmaker() as session:
            await record_change(session, entity_type, entity_id, op, payload)
            await session.commit()

    async def cleanup(self) -> None:
        async with self.sessionmaker() as session:
            for row in reversed(self.rows):
                await session.execute(delete(type(row)).where(type(row).id == row.id))
            await session.commit()


@pytest.fixture
async def committed(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Committed]:
    rows = Committed(committed_sessionmaker)
    yield rows
    await rows.cleanup()


async def wait_until_numbered(engine: AsyncEngine, count_unnumbered_is_zero: bool = True) -> None:
    """Wait until the relay has numbered every committed change row."""
    async with engine.connect() as conn:
        for _ in range(300):
            pending = await conn.scalar(select(ChangeLog.id).where(ChangeLog.position.is_(None)).limit(1))
            await conn.commit()
            if pending is None:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the relay did not number the pending change rows")


class Subscription:
    """A websocket client (graphql-transport-ws unless told) with one subscription (id "1")."""

    def __init__(self, ws: Any, protocol: WireProtocol = MODERN) -> None:
        self.ws = ws
        self.protocol = protocol

    async def next(self, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:  # noqa: ASYNC109 per-message deadline
        """The next message that is not a keep-alive (answered if the protocol wants an answer)."""
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=timeout))
        while message["type"] == self.protocol.keep_alive:
            if self.protocol.keep_alive_reply is not None:
                await self.ws.send(json.dumps({"type": self.protocol.keep_alive_reply}))
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=timeout))
        return message  # type: ignore[no-any-return]

    async def data(self, timeout: float = RECEIVE_TIMEOUT) -> dict[str, Any]:  # noqa: ASYNC109 per-message deadline
        message = await self.next(timeout)
        assert message["type"] == self.protocol.data, message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]  # type: ignore[no-any-return]

    async def nothing_within(self, seconds: float) -> None:
        try:
            message = await self.next(timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected no message, got {message}")

    async def close(self) -> None:
        await self.ws.close()


async def connect(url: str, token: str | None, protocol: WireProtocol = MODERN, **options: Any) -> Any:
    ws = await websockets.connect(url, subprotocols=[protocol.name], **options)  # type: ignore[list-item]
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def subscribe(url: str, user: User, query: str, variables: dict[str, Any] | None = None,
                    protocol: WireProtocol = MODERN, **options: Any) -> Subscription:
    ws = await connect(url, token_for(user), protocol, **options)
    ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=RECEIVE_TIMEOUT))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": protocol.subscribe,
                              "payload": {"query": query, "variables": variables or {}}}))
    return Subscription(ws, protocol)


def registered(server: LiveServer) -> set[Any]:
    """Every registered subscription of the server: per-subscriber ones and group members."""
    return set(server.realtime.broker.subscribers) | set(server.realtime.fanout.members())


def is_closing(handle: Any) -> bool:
    """The server has closed this subscription (a group member or a legacy subscriber)."""
    if isinstance(handle, Member):
        return handle.closed.is_set()
    return isinstance(handle, Subscriber) and handle.closed is not None


async def wait_closing(server: LiveServer, before: set[Any]) -> None:
    """Wait until the server closes a subscription registered since ``before``.

    A closed one may be gone by the next look (its connection shut down at once):
    one that was seen and is no longer registered has been closed as well."""
    seen: set[Any] = set()
    for _ in range(1200):
        now = registered(server) - before
        if any(is_closing(handle) for handle in now) or seen - now:
            return
        seen |= now
        await asyncio.sleep(0.025)
    raise AssertionError(f"the server did not close the subscription {server.realtime.fanout.stats} "
                         f"{[(len(m.writer._backlog or ()), m.writer._writable) for m in server.realtime.fanout.members()]}")


async def wait_subscribed(server: LiveServer, before: set[Any]) -> None:
    """Wait until a subscriber not in ``before`` is registered (registration is async): with the
    broker (legacy protocol) or a subscription group (graphql-transport-ws)."""
    for _ in range(400):
        if registered(server) - before:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the subscription did not register with the broker")


GraphQLPost = Callable[[str, dict[str, Any], User], Awaitable[dict[str, Any]]]


async def post_graphql(url: str, query: str, variables: dict[str, Any], user: User) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json={"query": query, "variables": variables},
                                     headers={"Authorization": f"Bearer {token_for(user)}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def head_cursor(engine: AsyncEngine) -> str:
    """A cursor at the newest numbered change: subscribing with it misses nothing committed later."""
    from sqlalchemy import func

    from server.changes import encode_cursor

    await wait_until_numbered(engine)
    async with engine.connect() as conn:
        position = await conn.scalar(select(func.max(ChangeLog.position)))
    return encode_cursor(int(position or 0))
