"""The relay's guarantees against the real database and Redis: ordering, one leader,
catch-up after a Redis outage, slow consumers, pruning."""
from __future__ import annotations

import asyncio
import base64
import os
import socket
from datetime import UTC, datetime, timedelta

import websockets
from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import ChangeOp
from db.models import ChangeLog, Task
from db.queries.logs import record_change
from jobs.prune_change_log import prune_change_log
from schema.core.ids import to_global_id
from server.relay import ChangeRelay
from tests.conftest import REDIS_URL, free_port
from tests.realtime.conftest import (
    LEGACY,
    MODERN,
    Committed,
    LiveServer,
    head_cursor,
    registered,
    subscribe,
    wait_closing,
    wait_subscribed,
    wait_until_numbered,
)

TASK_CHANGED = "subscription ($after: String) { taskChanged(after: $after) { cursor op taskId } }"
TASK_WITH_TEXT = "subscription ($after: String) { taskChanged(after: $after) { cursor task { description } } }"


async def positions_of(sessionmaker: async_sessionmaker[AsyncSession], ids: list[int]) -> dict[int, int | None]:
    async with sessionmaker() as session:
        rows = await session.execute(select(ChangeLog.id, ChangeLog.position).where(ChangeLog.id.in_(ids)))
        return {row.id: row.position for row in rows}


async def test_a_row_that_commits_late_gets_a_later_position(
    live_server: LiveServer, committed_sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    # given a transaction that inserts a change row first but commits last
    slow = committed_sessionmaker()
    await record_change(slow, "Community", 1, ChangeOp.CREATED, {})
    await slow.flush()
    slow_id = (await slow.scalars(select(ChangeLog.id).where(ChangeLog.entity_type == "Community"))).one()
    async with committed_sessionmaker() as fast:
        await record_change(fast, "Community", 2, ChangeOp.CREATED, {})
        await fast.commit()
    await wait_until_numbered(engine)
    async with committed_sessionmaker() as session:
        fast_id, fast_position = (await session.execute(
            select(ChangeLog.id, ChangeLog.position).where(ChangeLog.entity_type == "Community", ChangeLog.entity_id == 2)
        )).one()
    # when the slow one commits
    await slow.commit()
    await slow.close()
    await wait_until_numbered(engine)
    # then it was inserted first (smaller id) but numbered after: a cursor at fast_position never skips it
    positions = await positions_of(committed_sessionmaker, [slow_id, fast_id])
    assert slow_id < fast_id
    assert positions[fast_id] == fast_position
    assert positions[slow_id] is not None and positions[slow_id] > fast_position
    async with committed_sessionmaker() as session:
        await session.execute(text("DELETE FROM change_log WHERE entity_type = 'Probe'"))
        await session.commit()


async def test_only_one_relay_leads(live_server: LiveServer, engine: AsyncEngine) -> None:
    # the live server's relay leads; another relay on the same database cannot
    assert live_server.realtime.relay is not None and live_server.realtime.relay.is_leader
    other = ChangeRelay(engine, Redis.from_url(REDIS_URL), "unused-channel")
    try:
        assert await other.relay_once() == 0
        assert other.is_leader is False
    finally:
        await other.stop()
        await other.redis.aclose()


async def test_nothing_is_lost_while_redis_is_unreachable(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given a subscriber, and the relay's Redis pointing at a closed port
    user = await committed.user()
    await head_cursor(engine)  # everything before is numbered
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED)  # live only: no replay from the log
    await wait_subscribed(live_server, before)
    relay = live_server.realtime.relay
    assert relay is not None
    working_redis = relay.redis
    relay.redis = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2)
    try:
        # when two tasks commit during the outage
        first = await committed.add(Task(title="during outage 1"), ("Task", ChangeOp.CREATED, {}))
        second = await committed.add(Task(title="during outage 2"), ("Task", ChangeOp.CREATED, {}))
        await wait_until_numbered(engine)  # the log keeps working without Redis
        await sub.nothing_within(1.0)
    finally:
        await relay.redis.aclose()
        relay.redis = working_redis
    relay.wake()
    # then once Redis answers again both arrive, in order, exactly once
    received = [(await sub.data())["taskChanged"]["taskId"] for _ in range(2)]
    assert received == [to_global_id("Task", first.id), to_global_id("Task", second.id)]
    await sub.nothing_within(1.0)
    await sub.close()


async def test_a_slow_legacy_consumer_is_disconnected_with_4008(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # (per-subscriber path: its queue of changes overflows)
    protocol = LEGACY
    # given a client that stops reading, with a small queue on the server
    user = await committed.user()
    broker = live_server.realtime.broker
    broker.max_queued = 4
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", live_server.port))
        sub = await subscribe(live_server.ws_url, user, TASK_CHANGED, {"after": await head_cursor(engine)},
                              protocol=protocol, max_queue=1, sock=sock)
        await asyncio.sleep(0.5)
        # when many more changes commit than the queue and the socket buffers hold
        task = await committed.add(Task(title="busy"))
        async with committed.sessionmaker() as session:
            for _ in range(600):  # more than one relay batch: offered to the queue at once
                await record_change(session, "Task", task.id, ChangeOp.UPDATED, {"padding": "x" * 400})
            await session.commit()
    finally:
        broker.max_queued = live_server.app.state.almanac.settings.subscriber_queue_size
    # then the server closes the connection with 4008 instead of buffering
    code = None
    try:
        while True:
            await asyncio.wait_for(sub.ws.recv(), timeout=30)
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd is not None else None
    assert code == 4008
    async with committed.sessionmaker() as session:
        await session.execute(text("DELETE FROM change_log WHERE entity_type = 'Task' AND entity_id = :id"), {"id": task.id})
        await session.commit()


async def test_a_client_that_stops_reading_is_disconnected_with_4008(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # (group path: its socket stops accepting writes and its few-frame backlog overflows)
    protocol = MODERN
    # given a client that stops reading, with a small queue on the server
    user = await committed.user()
    broker = live_server.realtime.broker
    broker.max_queued = 4
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", live_server.port))
        before = registered(live_server)
        sub = await subscribe(live_server.ws_url, user, TASK_WITH_TEXT, {"after": await head_cursor(engine)},
                              protocol=protocol, max_queue=1, sock=sock)
        await wait_subscribed(live_server, before)
        # when many more changes commit than the queue and the socket buffers hold (64 KiB each)
        incompressible = base64.b64encode(os.urandom(49152)).decode()  # permessage-deflate may be on
        task = await committed.add(Task(title="busy", description=incompressible))
        async with committed.sessionmaker() as session:
            for _ in range(400):
                await record_change(session, "Task", task.id, ChangeOp.UPDATED, {})
            await session.commit()
        # (the client reads nothing until the server has given up on it)
        await wait_closing(live_server, before)
    finally:
        broker.max_queued = live_server.app.state.almanac.settings.subscriber_queue_size
    # then the server closes the connection with 4008 instead of buffering
    code = None
    try:
        while True:
            await asyncio.wait_for(sub.ws.recv(), timeout=30)
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd is not None else None
    assert code == 4008
    async with committed.sessionmaker() as session:
        await session.execute(text("DELETE FROM change_log WHERE entity_type = 'Task' AND entity_id = :id"), {"id": task.id})
        await session.commit()


async def test_prune_job_deletes_rows_older_than_the_retention(
    committed_sessionmaker: async_sessionmaker[AsyncSession], live_server: LiveServer, engine: AsyncEngine
) -> None:
    # given a published change row from 30 days ago and a recent one
    async with committed_sessionmaker() as session:
        session.add(ChangeLog(entity_type="PruneProbe", entity_id=1, op=ChangeOp.CREATED, payload={},
                              created_at=datetime.now(UTC) - timedelta(days=30)))
        session.add(ChangeLog(entity_type="PruneProbe", entity_id=2, op=ChangeOp.CREATED, payload={}))
        await session.commit()
    await wait_until_published(live_server, engine)
    try:
        # when the job runs with the default 7-day retention
        deleted = await prune_change_log({"sessionmaker": committed_sessionmaker})
        # then only the old row is gone
        async with committed_sessionmaker() as session:
            left = (await session.scalars(select(ChangeLog.entity_id).where(ChangeLog.entity_type == "PruneProbe"))).all()
        assert (deleted, left) == (1, [2])
    finally:
        async with committed_sessionmaker() as session:
            await session.execute(text("DELETE FROM change_log WHERE entity_type = 'PruneProbe'"))
            await session.commit()


async def wait_until_published(server: LiveServer, engine: AsyncEngine) -> None:
    await wait_until_numbered(engine)
    async with engine.connect() as conn:
        head = await conn.scalar(text("SELECT max(position) FROM change_log"))
    relay = server.realtime.relay
    assert relay is not None
    for _ in range(200):
        if relay.published_through >= head:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not published")
