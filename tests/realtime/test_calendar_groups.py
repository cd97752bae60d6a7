"""calendarChanged at scale: N subscribers over W windows cost one read of the changed source per
change (not one per window or subscriber), each window gets exactly its part, and removals stay
correct for what only some subscribers read."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import CalendarModule, ChangeOp, Visibility
from db.models import Event, EventParticipant, User
from db.queries.logs import record_change
from schema.core.ids import to_global_id
from server.calendar_hub import READERS_AFTER
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    Subscription,
    registered,
    subscribe,
    wait_subscribed,
    wait_until_numbered,
)

CALENDAR_CHANGED = """
subscription ($start: DateTime!, $end: DateTime!) {
  calendarChanged(start: $start, end: $end) { op sourceId removedEntryIds entries { id title start } }
}
"""
BASE = datetime(2032, 5, 3, tzinfo=UTC)  # a period no other test writes to
WINDOWS = 4
WINDOW_DAYS = 30


def window_from(start: datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(days=WINDOW_DAYS)).isoformat()}


def series_payload(event: Event) -> dict[str, Any]:
    return {"module": event.module.value, "start": event.starts_at.isoformat(), "end": event.ends_at.isoformat(),
            "visibility": event.visibility.value, "owner_id": event.owner_id, "series_ends_at": None}


async def join(server: LiveServer, user: User, k: int, base: datetime = BASE) -> Subscription:
    before = registered(server)
    sub = await subscribe(server.ws_url, user, CALENDAR_CHANGED, window_from(base + timedelta(days=k)))
    await wait_subscribed(server, before)
    return sub


async def retitle(committed: Committed, event: Event, title: str) -> None:
    async with committed.sessionmaker() as session:
        await session.execute(update(Event).where(Event.id == event.id).values(title=title))
        await record_change(session, "Event", event.id, ChangeOp.UPDATED, series_payload(event))
        await session.commit()


async def test_subscribers_over_many_windows_cost_one_source_read_per_change(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given a daily office-wide series running through every window, and one subscriber
    owner = await committed.user()
    start = BASE + timedelta(hours=9)
    event = await committed.add(Event(
        uid=f"rt-groups-{start.timestamp()}", title="daily", starts_at=start, ends_at=start + timedelta(hours=1),
        rrule="FREQ=DAILY;COUNT=60", visibility=Visibility.INTERNAL, owner_id=owner.id,
        module=CalendarModule.COORDINATION))
    hub, fanout = live_server.realtime.calendar, live_server.realtime.fanout
    first = await join(live_server, await committed.user(), 0)

    async def costs(title: str, subs: list[tuple[int, Subscription]]) -> tuple[int, int, int]:
        reads, executions, statements = hub.stats.computations, fanout.stats.executions, fanout.stats.statements
        await retitle(committed, event, title)
        for k, sub in subs:
            change = (await sub.data())["calendarChanged"]
            # then each window gets exactly its own occurrences, with the new title, and no removal
            days = [datetime.fromisoformat(e["start"]) for e in change["entries"]]
            assert days == [BASE + timedelta(days=k + d, hours=9) for d in range(WINDOW_DAYS)]
            assert {e["title"] for e in change["entries"]} == {title}
            assert (change["sourceId"], change["removedEntryIds"]) == (to_global_id("Event", event.id), [])
        return (hub.stats.computations - reads, fanout.stats.executions - executions,
                fanout.stats.statements - statements)

    # when it changes with one subscriber
    alone = await costs("one subscriber", [(0, first)])
    # and again with twelve subscribers over four windows (the first among them)
    slots = [k for k in range(WINDOWS) for _ in range(3)][1:]  # three a window, the first one included
    others = [(k, await join(live_server, await committed.user(), k)) for k in slots]
    many = await costs("twelve subscribers", [(0, first), *others])
    # then the series was read (and expanded) once per change either way, with the same statements,
    # and executed once per window (each shows other occurrences), not once per subscriber
    assert (alone[0], many[0]) == (1, 1)
    assert many[2] == alone[2]
    assert (alone[1], many[1]) == (1, WINDOWS)
    # when a one-off event that every window shows alike changes
    at = BASE + timedelta(days=WINDOWS + 5, hours=14)
    single = await committed.add(Event(
        uid=f"rt-single-{at.timestamp()}", title="once", starts_at=at, ends_at=at + timedelta(hours=1),
        visibility=Visibility.INTERNAL, owner_id=owner.id, module=CalendarModule.COORDINATION))
    reads, executions = hub.stats.computations, fanout.stats.executions
    async with committed.sessionmaker() as session:
        await session.execute(update(Event).where(Event.id == single.id).values(title="once more"))
        await record_change(session, "Event", single.id, ChangeOp.UPDATED, series_payload(single))
        await session.commit()
    received = [(await sub.data())["calendarChanged"] for _, sub in [(0, first), *others]]
    # then every subscriber gets the same entry, read once and executed once for all four windows
    assert {(r["sourceId"], tuple((e["title"], e["start"]) for e in r["entries"])) for r in received} == {
        (to_global_id("Event", single.id), (("once more", at.isoformat()),))}
    assert (hub.stats.computations - reads, fanout.stats.executions - executions) == (1, 1)
    for _, sub in [(0, first), *others]:
        await sub.close()


async def test_a_private_event_known_before_subscribing_is_removed_for_its_reader_only(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given bob's PRIVATE event in the window before anyone subscribes, and an INTERNAL one
    bob, alice = await committed.user(), await committed.user()
    base = BASE + timedelta(days=100)  # a window of its own: the other test's window may still be closing
    start = base + timedelta(days=5, hours=10)
    private = await committed.add(Event(
        uid=f"rt-private-{start.timestamp()}", title="bob only", starts_at=start, ends_at=start + timedelta(hours=1),
        visibility=Visibility.PRIVATE, owner_id=bob.id, module=CalendarModule.COORDINATION))
    shared = await committed.add(Event(
        uid=f"rt-shared-{start.timestamp()}", title="everyone", starts_at=start, ends_at=start + timedelta(hours=1),
        visibility=Visibility.INTERNAL, owner_id=bob.id, module=CalendarModule.COORDINATION))
    bob_sub, alice_sub = await join(live_server, bob, 0, base), await join(live_server, alice, 0, base)
    # when both move out of the window
    async with committed.sessionmaker() as session:
        for event in (private, shared):
            old = series_payload(event)
            await session.execute(update(Event).where(Event.id == event.id).values(
                starts_at=Event.starts_at + timedelta(days=90), ends_at=Event.ends_at + timedelta(days=90)))
            await record_change(session, "Event", event.id, ChangeOp.UPDATED,
                                old | {"old_start": old["start"], "old_end": old["end"], "series_ends_at": None})
        await session.commit()
    # then bob is told both entries left, alice only the shared one
    bob_changes = [(await bob_sub.data())["calendarChanged"] for _ in range(2)]
    assert [(c["sourceId"], c["entries"], len(c["removedEntryIds"])) for c in bob_changes] == [
        (to_global_id("Event", private.id), [], 1), (to_global_id("Event", shared.id), [], 1)]
    alice_change = (await alice_sub.data())["calendarChanged"]
    assert (alice_change["sourceId"], alice_change["entries"]) == (to_global_id("Event", shared.id), [])
    assert alice_change["removedEntryIds"] == bob_changes[1]["removedEntryIds"]
    await alice_sub.nothing_within(1.0)
    await bob_sub.close()
    await alice_sub.close()


async def test_a_storm_reads_the_own_part_only_of_those_who_may_read_beyond_the_office(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    # given bob's PRIVATE event with carol invited in a window, and five colleagues who read only what the office does
    bob, carol = await committed.user(), await committed.user()
    others = [await committed.user() for _ in range(5)]
    base = BASE + timedelta(days=200)  # a window of its own
    start = base + timedelta(days=5, hours=10)
    private = await committed.add(Event(
        uid=f"rt-storm-{start.timestamp()}", title="bob and carol", starts_at=start, ends_at=start + timedelta(hours=1),
        visibility=Visibility.PRIVATE, owner_id=bob.id, module=CalendarModule.COORDINATION))
    async with committed.sessionmaker() as session:  # with its change, as inviting writes it: the hub
        session.add(EventParticipant(event_id=private.id, user_id=carol.id))  # learns readers from changes
        await record_change(session, "Event", private.id, ChangeOp.UPDATED, series_payload(private))
        await session.commit()
    await wait_until_numbered(engine)
    hub = live_server.realtime.calendar
    personal, lookups = hub.stats.personal, hub.stats.reader_lookups
    hub.readers_after = 0  # as in a storm: who may read beyond the office is looked up, not read per member
    try:
        # when all of them subscribe to the window
        subs = [await join(live_server, user, 0, base) for user in [*others[:2], bob, carol, *others[2:]]]
    finally:
        hub.readers_after = READERS_AFTER
    # then only bob's and carol's own parts were read (and the role's), beside one lookup per broker position
    assert hub.stats.personal - personal == 3
    assert hub.stats.reader_lookups > lookups
    # and when the private event moves out of the window, bob and carol are told its entry left, nobody else anything
    async with committed.sessionmaker() as session:
        old = series_payload(private)
        await session.execute(update(Event).where(Event.id == private.id).values(
            starts_at=Event.starts_at + timedelta(days=90), ends_at=Event.ends_at + timedelta(days=90)))
        await record_change(session, "Event", private.id, ChangeOp.UPDATED,
                            old | {"old_start": old["start"], "old_end": old["end"], "series_ends_at": None})
        await session.commit()
    for sub in subs[2:4]:
        change = (await sub.data())["calendarChanged"]
        assert (change["sourceId"], change["entries"], len(change["removedEntryIds"])) == (
            to_global_id("Event", private.id), [], 1)
    for sub in [*subs[:2], *subs[4:]]:
        await sub.nothing_within(0.3)
    for sub in subs:
        await sub.close()
    async with committed.sessionmaker() as session:
        await session.execute(delete(EventParticipant).where(EventParticipant.event_id == private.id))
        await session.commit()
