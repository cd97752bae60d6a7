"""Leak matrix, work side, over websockets: taskChanged, bookingChanged and ppaChanged, live
and replayed from the first cursor (position 0), on graphql-transport-ws and legacy graphql-ws.

Real uvicorn, PostgreSQL and Redis (tests/realtime/conftest.py; this module lives here so it
shares the run's one live server: a second one would take part in relay leadership). A sentinel change the
non-readers may read is committed after the secret one: a non-reader's first message must
be the sentinel (so "nothing arrived" cannot pass for "filtered"), a reader's first message
must be the secret.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import BookingStatus, ChangeOp, PpaCategory, ResourceKind, Role, Visibility
from db.models import Booking, Event, EventParticipant, Ppa, Resource, Task, User
from schema.core.ids import to_global_id
from server.changes import encode_cursor
from tests.policy.leaks import PATHS, secret_marker, seen
from tests.realtime.conftest import (
    LEGACY,
    MODERN,
    Committed,
    LiveServer,
    Subscription,
    WireProtocol,
    connect,
    head_cursor,
    post_graphql,
    subscribe,
    wait_subscribed,
)

START = datetime(2034, 6, 6, 9, tzinfo=UTC)
FIRST_CURSOR = encode_cursor(0)
PROTOCOLS = [MODERN, LEGACY]
NON_READERS = ("other_staff", "viewer")
MODES = ("live", "replayed from the first cursor")
# taskChanged and bookingChanged also resume from a real cursor (the head before the secret is
# written): the catch-up path that checks the cursor is still in the log, as a reconnect takes.
START_MODES = ["live", "replayed", "resumed"]

BOOKING_CHANGED = """subscription($r: ID, $after: String) { bookingChanged(resourceId: $r, after: $after) {
  cursor op bookingId booking { purpose event { title } task { title } } } }"""
TASK_CHANGED = """subscription($f: TaskFilter, $after: String) { taskChanged(filter: $f, after: $after) {
  cursor op taskId task { title description } } }"""
PPA_CHANGED = """subscription($id: ID, $after: String) { ppaChanged(id: $id, after: $after) {
  cursor op ppaId ppa { title } } }"""
CREATE_TASK = "mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id version } errors { message } } }"
UPDATE_TASK = "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id } errors { message } } }"

for _name, _entity, _readers in (("taskChanged", "Task", 5), ("bookingChanged", "Booking", 5), ("ppaChanged", "Ppa", 3)):
    for _mode in MODES:
        for _protocol in PROTOCOLS:
            PATHS.append((f"{_name} {_mode} ({_protocol.name})", _entity, _readers))
for _name, _entity in (("taskChanged", "Task"), ("bookingChanged", "Booking")):
    for _protocol in PROTOCOLS:
        PATHS.append((f"{_name} resumed from a cursor before the secret ({_protocol.name})", _entity, 5))
for _mode in ("live", "resumed from a cursor"):
    for _protocol in PROTOCOLS:
        PATHS.append((f"taskChanged {_mode}, task later moved under a PRIVATE event ({_protocol.name})", "Task", 6))


async def start_of(mode: str, engine: AsyncEngine) -> str | None:
    """``after`` for a mode: none (live), the first cursor, or the head before the test's writes."""
    return None if mode == "live" else FIRST_CURSOR if mode == "replayed" else await head_cursor(engine)


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def people(committed: Committed) -> dict[str, User]:
    return {"owner": await committed.user(), "participant": await committed.user(),
            "manager": await committed.user(Role.MANAGER), "other_staff": await committed.user(),
            "viewer": await committed.user(Role.VIEWER)}


async def assigned_private_event(committed: Committed, title: str) -> tuple[dict[str, User], str, Event]:
    """The people, one more (``assignee``) for tasks whose filter keeps other tests' changes out,
    a secret marker and a PRIVATE event ``title``."""
    users = await people(committed)
    users["assignee"] = await committed.user()
    return users, secret_marker(), await private_event(committed, users, title)


async def private_event(committed: Committed, users: dict[str, User], title: str) -> Event:
    event = await committed.add(Event(
        uid=f"{uuid.uuid4()}@leaks-live", title=title, visibility=Visibility.PRIVATE, owner_id=users["owner"].id,
        starts_at=START, ends_at=START + timedelta(hours=1)))
    async with committed.sessionmaker() as session:  # removed with the event (ON DELETE CASCADE)
        session.add(EventParticipant(event_id=event.id, user_id=users["participant"].id))
        await session.commit()
    return event


async def first_data(sub: Subscription, field: str) -> dict[str, Any]:
    data = (await sub.data())[field]
    assert isinstance(data, dict)
    return data


async def open_all(server: LiveServer, users: dict[str, User], roles: tuple[str, ...], query: str,
                   variables: dict[str, Any], protocol: WireProtocol, live: bool) -> dict[str, Subscription]:
    subs = {}
    for role in roles:
        registered = set(server.realtime.broker.subscribers)
        subs[role] = await subscribe(server.ws_url, users[role], query, variables, protocol=protocol)
        if live:
            await wait_subscribed(server, registered)
    return subs


async def close_all(subs: dict[str, Subscription]) -> None:
    await asyncio.gather(*(s.close() for s in subs.values()))


@pytest.mark.parametrize("mode", START_MODES)
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.name for p in PROTOCOLS])
async def test_booking_changed_delivers_a_private_events_booking_to_its_readers_only(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine, protocol: WireProtocol, mode: str
) -> None:
    users = await people(committed)
    secret = secret_marker()
    event = await private_event(committed, users, "Medical appointment")
    resource = await committed.add(Resource(name=f"Car {uuid.uuid4().hex[:8]}", kind=ResourceKind.VEHICLE))
    live = mode == "live"
    variables = {"r": gid("Resource", resource.id), "after": await start_of(mode, engine)}
    readers = ("owner", "participant", "manager")

    def booking(purpose: str, hours: int, event_id: int | None) -> Booking:
        start = START + timedelta(hours=hours)
        return Booking(resource_id=resource.id, starts_at=start, ends_at=start + timedelta(hours=1),
                       blocked_from=start, blocked_until=start + timedelta(hours=1), status=BookingStatus.APPROVED,
                       purpose=purpose, requested_by_id=users["participant"].id, event_id=event_id)

    subs = await open_all(live_server, users, readers + NON_READERS, BOOKING_CHANGED, variables, protocol, live) \
        if live else {}
    payload = {"resource_id": resource.id}
    private = await committed.add(booking(f"for {secret}", 0, event.id), ("Booking", ChangeOp.CREATED, payload))
    await committed.add(booking("sentinel", 2, None), ("Booking", ChangeOp.CREATED, payload))
    if not live:
        subs = await open_all(live_server, users, readers + NON_READERS, BOOKING_CHANGED, variables, protocol, live)
    try:
        for role in readers:
            first = await first_data(subs[role], "bookingChanged")
            assert first["bookingId"] == gid("Booking", private.id) and seen(secret, first), (role, first)
        for role in NON_READERS:
            first = await first_data(subs[role], "bookingChanged")
            assert first["booking"]["purpose"] == "sentinel", (role, first)
            assert not seen(secret, first) and not seen(gid("Booking", private.id), first)
    finally:
        await close_all(subs)


@pytest.mark.parametrize("mode", START_MODES)
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.name for p in PROTOCOLS])
async def test_task_changed_delivers_a_private_events_task_to_its_readers_only(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine, protocol: WireProtocol, mode: str
) -> None:
    users, secret, event = await assigned_private_event(committed, "Personnel matter")
    # both tasks are assigned to the same fresh user: the filter keeps other tests' changes out
    live = mode == "live"
    variables = {"f": {"assigneeIds": [gid("User", users["assignee"].id)]}, "after": await start_of(mode, engine)}
    readers = ("owner", "participant", "assignee")
    outsiders = (*NON_READERS, "manager")  # MANAGER reads no task of a PRIVATE event it is not invited to
    subs = await open_all(live_server, users, readers + outsiders, TASK_CHANGED, variables, protocol, live) \
        if live else {}
    ids = []
    for title, link in ((f"Prepare {secret}", gid("Event", event.id)), ("sentinel", None)):
        created = await post_graphql(live_server.http_url, CREATE_TASK, {"input": {
            "title": title, "linkId": link, "assigneeIds": [gid("User", users["assignee"].id)]}}, users["participant"])
        assert created["data"]["createTask"]["errors"] == [], created
        ids.append(created["data"]["createTask"]["task"]["id"])
        committed.rows.append(Task(id=int(_pk(ids[-1]))))  # deleted before the users and the event
    if not live:
        subs = await open_all(live_server, users, readers + outsiders, TASK_CHANGED, variables, protocol, live)
    try:
        for role in readers:
            first = await first_data(subs[role], "taskChanged")
            assert first["taskId"] == ids[0] and seen(secret, first), (role, first)
        for role in outsiders:
            first = await first_data(subs[role], "taskChanged")
            assert first["taskId"] == ids[1], (role, first)
            assert not seen(secret, first)
    finally:
        await close_all(subs)


@pytest.mark.parametrize("live", [True, False], ids=["live", "replayed"])
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.name for p in PROTOCOLS])
async def test_ppa_changed_reaches_every_signed_in_user_and_no_anonymous_connection(
    live_server: LiveServer, committed: Committed, protocol: WireProtocol, live: bool
) -> None:
    users = await people(committed)
    marker = secret_marker()
    variables: dict[str, Any] = {"id": None, "after": None if live else FIRST_CURSOR}
    roles = ("owner", "other_staff", "viewer")
    ppa = Ppa(title=f"Bridge {marker}", category=PpaCategory.PROJECT, owner_id=users["owner"].id)
    if live:
        subs = await open_all(live_server, users, roles, PPA_CHANGED, variables, protocol, live)
    await committed.add(ppa, ("Ppa", ChangeOp.CREATED, {"ppa_id": None}))
    variables["id"] = gid("Ppa", ppa.id)
    if not live:
        subs = await open_all(live_server, users, roles, PPA_CHANGED, variables, protocol, live)
    try:
        for role in roles:
            first = await first_data(subs[role], "ppaChanged")
            assert first["ppaId"] == gid("Ppa", ppa.id) and seen(marker, first), (role, first)
    finally:
        await close_all(subs)
    # an anonymous connection is refused before any data
    ws = await connect(live_server.ws_url, None, protocol)
    received = []
    try:
        while True:
            received.append(await asyncio.wait_for(ws.recv(), timeout=10))
    except (websockets.ConnectionClosed, TimeoutError):
        pass
    assert not seen(marker, " ".join(str(m) for m in received))


def _pk(global_id: str) -> str:
    from strawberry.relay import GlobalID

    return GlobalID.from_id(global_id).node_id


async def until_task(sub: Subscription, task_id: str) -> list[dict[str, Any]]:
    """Every taskChanged message up to and including the first about ``task_id``."""
    received = []
    for _ in range(200):
        received.append(await first_data(sub, "taskChanged"))
        if received[-1]["taskId"] == task_id:
            return received
    raise AssertionError(f"no change about {task_id}")


@pytest.mark.parametrize("live", [True, False], ids=["live", "resumed"])
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.name for p in PROTOCOLS])
async def test_a_task_moved_under_a_private_event_is_never_shown_by_its_earlier_change(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine, protocol: WireProtocol, live: bool
) -> None:
    # given subscribers resuming from a cursor taken before an office-wide task was created, then
    # moved under a PRIVATE disciplinary hearing with notes (the earlier change reached everyone;
    # replayed, it would show the task as it is now), then a sentinel task
    users, secret, event = await assigned_private_event(committed, "Disciplinary hearing")
    assignee = gid("User", users["assignee"].id)
    variables = {"f": {"assigneeIds": [assignee]}, "after": None if live else await head_cursor(engine)}
    readers = ("owner", "participant", "assignee")
    outsiders = (*NON_READERS, "manager")
    subs = await open_all(live_server, users, readers + outsiders, TASK_CHANGED, variables, protocol, live) \
        if live else {}

    async def create(title: str) -> dict[str, Any]:
        created = await post_graphql(live_server.http_url, CREATE_TASK, {"input": {
            "title": title, "assigneeIds": [assignee]}}, users["participant"])
        assert created["data"]["createTask"]["errors"] == [], created
        task: dict[str, Any] = created["data"]["createTask"]["task"]
        committed.rows.append(Task(id=int(_pk(task["id"]))))  # deleted before the users and the event
        return task

    task = await create("Check the file")
    moved = await post_graphql(live_server.http_url, UPDATE_TASK, {"input": {
        "id": task["id"], "expectedVersion": task["version"], "linkId": gid("Event", event.id),
        "description": f"Hearing notes {secret}"}}, users["participant"])
    assert moved["data"]["updateTask"]["errors"] == [], moved
    sentinel = await create("sentinel")
    if not live:
        subs = await open_all(live_server, users, readers + outsiders, TASK_CHANGED, variables, protocol, live)
    try:
        # then readers are shown the notes, and those outside the hearing never, up to the sentinel
        for role in readers:
            assert seen(secret, await until_task(subs[role], sentinel["id"])), role
        for role in outsiders:
            received = await until_task(subs[role], sentinel["id"])
            assert not seen(secret, received), (role, received)
            assert [m["op"] for m in received if m["taskId"] == task["id"]][-1:] == ["DELETED"], (role, received)
    finally:
        await close_all(subs)
