"""Leak matrix (tests/policy/test_leaks_calendar.py), subscriptions: calendarChanged and notificationReceived over real websockets.

A PRIVATE event and a booking made for it carry a secret marker; its owner and two
non-readers (another STAFF, a VIEWER) subscribe to the same window, live and replayed
from the very first cursor (position 0). After the secret writes, an INTERNAL sentinel
event is written: every subscriber must receive the sentinel (so silence cannot pass),
and the non-readers must not have received the marker before it. The owner must.
"""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import BookingStatus, CalendarModule, ChangeOp, ResourceKind, Role, Visibility
from db.models import Booking, ChangeLog, Event, Notification, Resource, User
from schema.core.ids import to_global_id
from server.changes import encode_cursor
from tests.policy import leaks
from tests.policy import test_leaks_calendar as matrix
from tests.policy.leaks import secret_marker, seen
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    Subscription,
    head_cursor,
    subscribe,
    wait_subscribed,
)

CALENDAR_CHANGED = """
subscription ($start: DateTime!, $end: DateTime!, $after: String) {
  calendarChanged(start: $start, end: $end, after: $after) {
    cursor op sourceType sourceId removedEntryIds entries { id title kind
      source { ... on Event { title description location } ... on Booking { purpose } } }
  }
}
"""
CALENDAR_TITLES = """
subscription ($start: DateTime!, $end: DateTime!, $after: String) {
  calendarChanged(start: $start, end: $end, after: $after) { cursor op sourceId removedEntryIds entries { title } }
}
"""
NOTIFICATION_RECEIVED = "subscription { notificationReceived { title body } }"
FIRST_CURSOR = encode_cursor(0)  # replay everything the log holds
MAX_MESSAGES = 2000

matrix.PATHS += [
    ("calendarChanged(live)", "event"), ("calendarChanged(live)", "booking"),
    ("calendarChanged(replayed from position 0)", "event"), ("calendarChanged(replayed from position 0)", "booking"),
    ("calendarChanged(shared entries, replayed after a reader)", "event"),
    ("notificationReceived(live)", "notification"),
]
# roles asked: owner, another STAFF, a VIEWER (the shared-entries path: owner and another STAFF)
leaks.PATHS.extend([
    ("calendarChanged(live)", "calendar:event", 3), ("calendarChanged(live)", "calendar:booking", 3),
    ("calendarChanged(replayed from position 0)", "calendar:event", 3),
    ("calendarChanged(replayed from position 0)", "calendar:booking", 3),
    ("calendarChanged(shared entries, replayed after a reader)", "calendar:event", 2),
    ("notificationReceived(live)", "calendar:notification", 3),
])


@pytest.fixture(autouse=True)
async def forget_changes(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Drop the change-log rows this test committed (Committed deletes only the rows themselves),
    so tests that count change rows later in the run see none of ours."""
    async with committed_sessionmaker() as session:
        first = await session.scalar(select(func.coalesce(func.max(ChangeLog.id), 0)))
    yield
    async with committed_sessionmaker() as session:
        await session.execute(delete(ChangeLog).where(ChangeLog.id > first))
        await session.commit()


def window(start: datetime) -> dict[str, str]:
    return {"start": (start - timedelta(days=1)).isoformat(), "end": (start + timedelta(days=10)).isoformat()}


def event_row(title: str, owner: User, start: datetime, visibility: Visibility, **values: Any) -> Event:
    return Event(uid=f"leak-{uuid.uuid4()}", title=title, starts_at=start, ends_at=start + timedelta(hours=1),
                 series_ends_at=start + timedelta(hours=1), visibility=visibility, owner_id=owner.id,
                 module=CalendarModule.COORDINATION, **values)


async def until_source(sub: Subscription, source_id: str) -> list[dict[str, Any]]:
    """Every calendarChanged message up to and including the one about ``source_id``."""
    received: list[dict[str, Any]] = []
    for _ in range(MAX_MESSAGES):
        change = (await sub.data())["calendarChanged"]
        received.append(change)
        if change["sourceId"] == source_id:
            return received
    raise AssertionError(f"no change about {source_id} within {MAX_MESSAGES} messages")


async def private_event_with_booking(committed: Committed, owner: User, start: datetime,
                                     marker: str) -> tuple[Event, Booking]:
    event = await committed.add(
        event_row(f"Hearing {marker}", owner, start, Visibility.PRIVATE, description=marker, location=marker),
        ("Event", ChangeOp.CREATED, {"module": "COORDINATION", "start": start.isoformat(),
                                      "end": (start + timedelta(hours=1)).isoformat()}),
    )
    van = await committed.add(Resource(name=f"Van {uuid.uuid4().hex[:6]}", kind=ResourceKind.VEHICLE))
    booking = await committed.add(
        Booking(resource_id=van.id, event_id=event.id, starts_at=start, ends_at=start + timedelta(hours=1),
                blocked_from=start, blocked_until=start + timedelta(hours=1), status=BookingStatus.APPROVED,
                purpose=f"For {marker}", requested_by_id=owner.id),
        ("Booking", ChangeOp.CREATED, {"resource_id": van.id, "start": start.isoformat(),
                                        "end": (start + timedelta(hours=1)).isoformat()}),
    )
    return event, booking


async def sentinel(committed: Committed, owner: User, start: datetime) -> str:
    event = await committed.add(
        event_row("Sentinel", owner, start + timedelta(hours=3), Visibility.INTERNAL),
        ("Event", ChangeOp.CREATED, {"module": "COORDINATION", "start": start.isoformat(),
                                      "end": (start + timedelta(hours=4)).isoformat()}),
    )
    return to_global_id("Event", event.id)


async def test_calendar_changed_live_and_replayed_reaches_readers_only(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    owner, staff, viewer = await committed.user(), await committed.user(), await committed.user(Role.VIEWER)
    start = datetime(2032, 2, 2, 9, tzinfo=UTC) + timedelta(hours=len(committed.rows))
    marker = secret_marker()
    variables = {**window(start), "after": await head_cursor(engine)}
    before = set(live_server.realtime.broker.subscribers)
    live = {name: await subscribe(live_server.ws_url, user, CALENDAR_CHANGED, variables)
            for name, user in (("owner", owner), ("other_staff", staff), ("viewer", viewer))}
    await wait_subscribed(live_server, before)

    _, booking = await private_event_with_booking(committed, owner, start, marker)
    done = await sentinel(committed, owner, start)

    replayed = {name: await subscribe(live_server.ws_url, user, CALENDAR_CHANGED,
                                      {**window(start), "after": FIRST_CURSOR})
                for name, user in (("owner", owner), ("other_staff", staff), ("viewer", viewer))}
    for mode, subs in (("live", live), ("replayed", replayed)):
        for name, sub in subs.items():
            messages = await until_source(sub, done)
            about_booking = [m for m in messages if m["sourceId"] == to_global_id("Booking", booking.id)]
            assert seen(marker, messages) == (name == "owner"), (mode, name, messages)
            if name == "owner":
                assert seen(f"For {marker}", about_booking), (mode, messages)
            await sub.close()


async def test_calendar_changed_never_shares_a_readers_entries(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given an INTERNAL event (an office-wide change) made PRIVATE with a secret right after
    owner, staff = await committed.user(), await committed.user()
    start = datetime(2032, 5, 3, 9, tzinfo=UTC) + timedelta(hours=len(committed.rows))
    marker = secret_marker()
    cursor = await head_cursor(engine)
    before = set(live_server.realtime.broker.subscribers)
    owner_sub = await subscribe(live_server.ws_url, owner, CALENDAR_TITLES, {**window(start), "after": cursor})
    await wait_subscribed(live_server, before)
    event = await committed.add(
        event_row("Planning", owner, start, Visibility.INTERNAL),
        ("Event", ChangeOp.CREATED, {"module": "COORDINATION", "start": start.isoformat(),
                                      "end": (start + timedelta(hours=1)).isoformat()}),
    )
    async with committed.sessionmaker() as session:
        row = await session.get(Event, event.id)
        assert row is not None
        row.title, row.visibility = f"Hearing {marker}", Visibility.PRIVATE
        await session.flush()
        from db.policies.audience import SIGNED_IN
        from db.queries.logs import record_change

        await record_change(session, "Event", event.id, ChangeOp.UPDATED,
                            {"module": "COORDINATION", "start": start.isoformat(),
                             "end": (start + timedelta(hours=1)).isoformat()}, former=SIGNED_IN)
        await session.commit()
    done = await sentinel(committed, owner, start)
    # when the owner's subscription has computed the entries of the office-wide change
    await until_source(owner_sub, done)
    # then a non-reader replaying the same change in the same window gets none of them
    staff_sub = await subscribe(live_server.ws_url, staff, CALENDAR_TITLES, {**window(start), "after": cursor})
    messages = await until_source(staff_sub, done)
    assert not seen(marker, messages), messages
    await owner_sub.close()
    await staff_sub.close()


async def test_notification_received_reaches_its_user_only(live_server: LiveServer, committed: Committed) -> None:
    owner, staff, viewer = await committed.user(), await committed.user(), await committed.user(Role.VIEWER)
    marker = secret_marker()
    before = set(live_server.realtime.broker.subscribers)
    subs = {name: await subscribe(live_server.ws_url, user, NOTIFICATION_RECEIVED)
            for name, user in (("owner", owner), ("other_staff", staff), ("viewer", viewer))}
    await wait_subscribed(live_server, before)

    def note(user: User, title: str) -> Notification:
        return Notification(user_id=user.id, kind="event_reminder", title=title, body=title,
                            dedupe_key=f"leak:{uuid.uuid4().hex}", deliver_at=datetime.now(UTC))

    await committed.add(note(owner, f"Reminder {marker}"), ("Notification", ChangeOp.CREATED, {"user_id": owner.id}))
    for user in (owner, staff, viewer):
        await committed.add(note(user, "Sentinel"), ("Notification", ChangeOp.CREATED, {"user_id": user.id}))

    for name, sub in subs.items():
        first = (await sub.data())["notificationReceived"]
        assert seen(marker, first) == (name == "owner"), (name, first)
        if name == "owner":
            assert (await sub.data())["notificationReceived"]["title"] == "Sentinel"
        else:
            assert first["title"] == "Sentinel"
        await sub.close()
