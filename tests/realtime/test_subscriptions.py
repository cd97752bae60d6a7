"""End to end over real websockets (graphql-transport-ws) against uvicorn, PostgreSQL and Redis."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import CalendarModule, ChangeOp, TaskStatus, Visibility
from db.models import Event, Task
from schema.core.ids import to_global_id
from tests.realtime.conftest import (
    RECEIVE_TIMEOUT,
    Committed,
    LiveServer,
    connect,
    head_cursor,
    post_graphql,
    registered,
    subscribe,
    wait_subscribed,
)

TASK_CHANGED = """
subscription ($after: String, $filter: TaskFilter) {
  taskChanged(after: $after, filter: $filter) { cursor op taskId task { title status } }
}
"""

CALENDAR_CHANGED = """
subscription ($start: DateTime!, $end: DateTime!, $after: String) {
  calendarChanged(start: $start, end: $end, after: $after) {
    cursor op sourceType sourceId removedEntryIds entries { id title kind start }
  }
}
"""

CREATE_TASK = """
mutation ($input: CreateTaskInput!) { createTask(input: $input) { task { id title } errors { code message } } }
"""

CREATE_EVENT = """
mutation ($input: CreateEventInput!) { createEvent(input: $input) { event { id } errors { code message } } }
"""

WINDOW_START = datetime(2031, 3, 1, tzinfo=UTC)
WINDOW_END = datetime(2031, 4, 1, tzinfo=UTC)


def task_payload(task: Task) -> dict[str, object]:
    return {"module": CalendarModule.TASKS.value, "status": task.status.value, "assignee_ids": [], "team_ids": []}


def event_payload(event: Event, *, reader_ids: list[int] | None = None) -> dict[str, object]:
    payload: dict[str, object] = {
        "module": event.module.value, "start": event.starts_at.isoformat(), "end": event.ends_at.isoformat(),
        "visibility": event.visibility.value, "owner_id": event.owner_id,
    }
    if reader_ids is not None:
        payload["reader_ids"] = reader_ids
    return payload


def make_event(title: str, owner_id: int, visibility: Visibility, day: int) -> Event:
    start = WINDOW_START + timedelta(days=day, hours=9)
    return Event(uid=f"rt-{title}-{start.timestamp()}-{owner_id}", title=title, starts_at=start,
                 ends_at=start + timedelta(hours=1), visibility=visibility, owner_id=owner_id,
                 module=CalendarModule.COORDINATION)


async def test_connection_without_a_valid_token_is_rejected(live_server: LiveServer) -> None:
    for token in (None, "not-a-jwt"):
        ws = await connect(live_server.ws_url, token)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_committed_mutation_reaches_a_live_subscriber(live_server: LiveServer, committed: Committed,
                                                              engine: AsyncEngine) -> None:
    # given a subscriber registered on the live feed
    user = await committed.user()
    subscribers_before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED)
    await wait_subscribed(live_server, subscribers_before)
    # when a real createTask mutation commits on the server
    created = await post_graphql(live_server.http_url, CREATE_TASK, {"input": {"title": "Live task"}}, user)
    assert created["data"]["createTask"]["errors"] == []
    task_gid = created["data"]["createTask"]["task"]["id"]
    # then the change arrives with a cursor, the op and the fresh task
    data = (await sub.data())["taskChanged"]
    assert data == {"cursor": data["cursor"], "op": "CREATED", "taskId": task_gid,
                    "task": {"title": "Live task", "status": "TODO"}}
    await sub.close()
    committed.rows.append(Task(id=_pk(task_gid)))


def _pk(global_id: str) -> int:
    from strawberry.relay import GlobalID

    return int(GlobalID.from_id(global_id).node_id)


async def test_private_events_reach_only_their_readers(live_server: LiveServer, committed: Committed,
                                                       engine: AsyncEngine) -> None:
    # given two users subscribed to the same window
    alice, bob = await committed.user(), await committed.user()
    after = await head_cursor(engine)
    variables = {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat(), "after": after}
    alice_sub = await subscribe(live_server.ws_url, alice, CALENDAR_CHANGED, variables)
    bob_sub = await subscribe(live_server.ws_url, bob, CALENDAR_CHANGED, variables)
    # when bob creates a PRIVATE event, then an INTERNAL one
    private = make_event("Bob private", bob.id, Visibility.PRIVATE, 2)
    await committed.add(private, ("Event", ChangeOp.CREATED, event_payload(private, reader_ids=[bob.id])))
    shared = make_event("Team sync", bob.id, Visibility.INTERNAL, 3)
    await committed.add(shared, ("Event", ChangeOp.CREATED, event_payload(shared)))
    # then bob sees both, alice only the INTERNAL one (her first message is it)
    bob_first, bob_second = (await bob_sub.data())["calendarChanged"], (await bob_sub.data())["calendarChanged"]
    assert [bob_first["sourceId"], bob_second["sourceId"]] == [to_global_id("Event", private.id),
                                                               to_global_id("Event", shared.id)]
    alice_first = (await alice_sub.data())["calendarChanged"]
    assert alice_first["sourceId"] == to_global_id("Event", shared.id)
    assert [e["title"] for e in alice_first["entries"]] == ["Team sync"]
    assert alice_first["removedEntryIds"] == []
    await alice_sub.nothing_within(1.0)
    await alice_sub.close()
    await bob_sub.close()


async def test_calendar_change_reports_entries_that_left_the_window(live_server: LiveServer, committed: Committed,
                                                                    engine: AsyncEngine) -> None:
    # given an event in the window and a subscriber of that window
    user = await committed.user()
    event = make_event("Moving", user.id, Visibility.INTERNAL, 5)
    await committed.add(event, ("Event", ChangeOp.CREATED, event_payload(event)))
    after = await head_cursor(engine)
    variables = {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat(), "after": after}
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, user, CALENDAR_CHANGED, variables)
    await wait_subscribed(live_server, before)  # its window's entries are known from here on
    # when the event moves out of the window
    old = event_payload(event)
    async with committed.sessionmaker() as session:
        row = await session.get(Event, event.id)
        assert row is not None
        row.starts_at += timedelta(days=60)
        row.ends_at += timedelta(days=60)
        await session.flush()
        moved = event_payload(row) | {"old_start": old["start"], "old_end": old["end"]}
        from db.queries.logs import record_change

        await record_change(session, "Event", row.id, ChangeOp.UPDATED, moved)
        await session.commit()
    # then the change lists its entry as removed and no entries
    change = (await sub.data())["calendarChanged"]
    assert change["op"] == "UPDATED" and change["entries"] == []
    assert len(change["removedEntryIds"]) == 1
    await sub.close()


async def test_resume_replays_exactly_the_missed_changes_then_goes_live(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given a subscriber that received one change and disconnected
    user = await committed.user()
    start = await head_cursor(engine)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED, {"after": start})
    first = await committed.add(Task(title="one"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    received = (await sub.data())["taskChanged"]
    assert received["taskId"] == to_global_id("Task", first.id)
    await sub.close()
    # when two tasks change while it is away (and an unrelated community change is logged)
    second = await committed.add(Task(title="two"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    third = await committed.add(Task(title="three", status=TaskStatus.DONE), ("Task", ChangeOp.CREATED, {"status": "DONE"}))
    await committed.change("Community", 1, ChangeOp.CREATED, {})
    await head_cursor(engine)  # numbered (and published to nobody)
    # then resuming after the last cursor replays exactly those two, in order
    resumed = await subscribe(live_server.ws_url, user, TASK_CHANGED, {"after": received["cursor"]})
    replayed = [(await resumed.data())["taskChanged"] for _ in range(2)]
    assert [(r["op"], r["task"]["title"]) for r in replayed] == [("CREATED", "two"), ("CREATED", "three")]
    # and goes live without a duplicate at the seam
    fourth = await committed.add(Task(title="four"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    live = (await resumed.data())["taskChanged"]
    assert live["taskId"] == to_global_id("Task", fourth.id)
    await resumed.nothing_within(1.0)
    await resumed.close()
    assert {second.id, third.id} == {_pk(r["taskId"]) for r in replayed}


async def test_a_filter_and_a_bad_cursor(live_server: LiveServer, committed: Committed, engine: AsyncEngine) -> None:
    user = await committed.user()
    # a cursor that is not ours is a VALIDATION error, not a crash
    bad = await subscribe(live_server.ws_url, user, TASK_CHANGED, {"after": "garbage"})
    message = await bad.next()
    assert message["type"] in {"next", "error"}
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [("Not a change cursor.", "VALIDATION")]
    await bad.close()
    # a status filter only lets DONE tasks through
    after = await head_cursor(engine)
    sub = await subscribe(live_server.ws_url, user, TASK_CHANGED, {"after": after, "filter": {"status": ["DONE"]}})
    await committed.add(Task(title="todo"), ("Task", ChangeOp.CREATED, {"status": "TODO"}))
    done = await committed.add(Task(title="done", status=TaskStatus.DONE), ("Task", ChangeOp.CREATED, {"status": "DONE"}))
    data = (await sub.data())["taskChanged"]
    assert data["taskId"] == to_global_id("Task", done.id)
    await sub.close()


async def test_a_real_create_event_mutation_reaches_calendar_subscribers(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    user = await committed.user()
    after = await head_cursor(engine)
    variables = {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat(), "after": after}
    sub = await subscribe(live_server.ws_url, user, CALENDAR_CHANGED, variables)
    start = WINDOW_START + timedelta(days=10, hours=14)
    created = await post_graphql(live_server.http_url, CREATE_EVENT, {"input": {
        "title": "Budget hearing", "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
    }}, user)
    assert created["data"]["createEvent"]["errors"] == [], created
    event_gid = created["data"]["createEvent"]["event"]["id"]
    change = (await sub.data(RECEIVE_TIMEOUT))["calendarChanged"]
    assert (change["op"], change["sourceType"], change["sourceId"]) == ("CREATED", "Event", event_gid)
    assert [(e["title"], e["kind"], datetime.fromisoformat(e["start"])) for e in change["entries"]] == [
        ("Budget hearing", "EVENT", start)
    ]
    await sub.close()
    committed.rows.append(Event(id=_pk(event_gid)))
