"""A reconnect storm: subscribers resuming with ``after`` share the log reads and executions of
their catch-up, and each still gets exactly the changes after its own cursor, in order."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import ChangeOp
from db.models import ChangeLog, Task
from schema.core.ids import to_global_id
from server.changes import encode_cursor
from tests.conftest import token_for
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    Subscription,
    connect,
    head_cursor,
)
from tests.realtime.test_subscriptions import TASK_CHANGED


async def head_published(server: LiveServer, engine: AsyncEngine) -> str:
    """The head cursor, once the broker has seen it (so a shared log read is keyed on it)."""
    cursor = await head_cursor(engine)
    async with engine.connect() as conn:
        head = int(await conn.scalar(text("SELECT max(position) FROM change_log")) or 0)
    for _ in range(400):
        if (server.realtime.broker.last_position or 0) >= head:
            return cursor
        await asyncio.sleep(0.025)
    raise AssertionError("the broker did not see the head change")


async def task_changes(committed: Committed, *titles: str) -> list[Task]:
    return [await committed.add(Task(title=title), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
            for title in titles]


async def titles_of(sub: Subscription, count: int) -> list[str]:
    return [(await sub.data())["taskChanged"]["task"]["title"] for _ in range(count)]


async def resubscribe_at_once(server: LiveServer, users: list[Any], cursors: list[str]) -> list[Subscription]:
    """Sign in one after the other (concurrent first sign-ins would grow the shared test server's
    pool, and a fresh connection's type introspection would show up in a later test's statement
    count), then subscribe all at once."""
    sockets = []
    for user in users:
        ws = await connect(server.ws_url, token_for(user))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        sockets.append(ws)
    await asyncio.gather(*(ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": TASK_CHANGED, "variables": {"after": cursor}}})) for ws, cursor in zip(sockets, cursors, strict=True)))
    return [Subscription(ws) for ws in sockets]


async def storm(server: LiveServer, users: list[Any], after: str, expected: int) -> tuple[int, int, list[list[str]]]:
    """``users`` resubscribe with ``after`` at once: executions and catch-up statements it cost, and what each got."""
    stats = server.realtime.fanout.stats
    executions, statements = stats.executions, stats.catch_up_statements
    subs = await resubscribe_at_once(server, users, [after] * len(users))
    received = await asyncio.gather(*(titles_of(sub, expected) for sub in subs))
    costs = stats.executions - executions, stats.catch_up_statements - statements
    for sub in subs:
        await sub.nothing_within(0.3)  # no duplicate behind the replay
        await sub.close()
    return *costs, received


async def test_subscribers_resuming_from_one_cursor_cost_what_one_does(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    users = [await committed.user() for _ in range(9)]
    # (a first catch-up warms what a process prepares once, e.g. a connection's type introspection)
    warm_cursor = await head_published(live_server, engine)
    await task_changes(committed, "w1", "w2", "w3")
    await head_published(live_server, engine)
    await storm(live_server, users[:1], warm_cursor, 3)
    # given three task changes after a cursor, and one subscriber resuming from it
    first_cursor = await head_published(live_server, engine)
    await task_changes(committed, "a1", "a2", "a3")
    await head_published(live_server, engine)
    one = await storm(live_server, users[:1], first_cursor, 3)
    # when three more change and eight subscribers of the same role resume at once from a later cursor
    second_cursor = await head_published(live_server, engine)
    await task_changes(committed, "b1", "b2", "b3")
    await head_published(live_server, engine)
    eight = await storm(live_server, users[1:], second_cursor, 3)
    # then each got exactly its changes in order
    assert one[2] == [["a1", "a2", "a3"]]
    assert eight[2] == [["b1", "b2", "b3"]] * 8
    # and the eight cost what the one did: one execution per change (one audience class), and the
    # same SQL statements (one shared log read that also checks the cursor, one row read per change)
    assert one[0] == eight[0] == 3
    assert eight[1] == one[1]
    assert one[1] <= 3 * 4 + 4  # per change a read in its own transaction; one log page


async def test_a_storm_of_different_cursors_each_gets_its_own_changes_and_a_pruned_cursor_is_refused(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    users = [await committed.user() for _ in range(4)]
    # given a cursor that pointed at a change the log no longer keeps (pruned)
    gone = await committed.add(Task(title="pruned"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    await head_published(live_server, engine)
    async with committed.sessionmaker() as session:
        position = await session.scalar(select(ChangeLog.position).where(
            ChangeLog.entity_type == "Task", ChangeLog.entity_id == gone.id))
        await session.execute(delete(ChangeLog).where(ChangeLog.position == position))
        await session.commit()
    pruned = encode_cursor(int(position or 0))
    # and four task changes, two before a middle cursor and two after it
    start = await head_published(live_server, engine)
    await task_changes(committed, "c1", "c2")
    middle = await head_published(live_server, engine)
    await task_changes(committed, "c3", "c4")
    await head_published(live_server, engine)
    # when subscribers resume at once from the start, from the middle, and from the pruned cursor
    cursors = [start, middle, start, middle]
    subs = await resubscribe_at_once(live_server, [*users, users[0]], [*cursors, pruned])
    refused = subs.pop()
    # then each gets exactly the changes after its own cursor, in order
    got = await asyncio.gather(*(titles_of(sub, 4 if cursor == start else 2) for sub, cursor in zip(subs, cursors,
                                                                                                 strict=True)))
    assert got == [["c1", "c2", "c3", "c4"], ["c3", "c4"], ["c1", "c2", "c3", "c4"], ["c3", "c4"]]
    # and the pruned cursor is refused as before grouping
    message = await refused.next()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
        ("This cursor is older than the change log keeps; refetch, then subscribe.", "VALIDATION")]
    # and then all of them go live without a duplicate at the seam
    live = await committed.add(Task(title="c5"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    for sub in subs:
        data = (await sub.data())["taskChanged"]
        assert data["taskId"] == to_global_id("Task", live.id)
        await sub.nothing_within(0.2)
        await sub.close()
    await refused.close()
