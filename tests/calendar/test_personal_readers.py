"""Who may read anything of the calendar beyond the office: what a reconnect storm's members
are checked against before their own part of a window is read (server/calendar_hub.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import CalendarModule, ChangeOp, Visibility
from db.models import Event, EventParticipant, User
from db.queries import calendar_source
from db.queries.calendar_source import personal_readers
from db.queries.logs import record_change
from db.statements import counting
from server.calendar_hub import CalendarHub
from tests.conftest import UserFactory

START = datetime(2033, 3, 1, 10, tzinfo=UTC)


async def test_the_readers_are_those_named_in_what_the_office_may_not_read(
    session: AsyncSession, make_user: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a PRIVATE event with its owner and a guest, an INTERNAL one, and a colleague in neither
    owner, guest, colleague, internal_owner = [await make_user() for _ in range(4)]
    start = datetime(2033, 2, 1, 10, tzinfo=UTC)
    private = Event(uid="readers-private", title="closed", starts_at=start, ends_at=start + timedelta(hours=1),
                    visibility=Visibility.PRIVATE, owner_id=owner.id, module=CalendarModule.COORDINATION)
    internal = Event(uid="readers-internal", title="open", starts_at=start, ends_at=start + timedelta(hours=1),
                     visibility=Visibility.INTERNAL, owner_id=internal_owner.id, module=CalendarModule.COORDINATION)
    session.add_all([private, internal])
    await session.flush()
    session.add(EventParticipant(event_id=private.id, user_id=guest.id))
    await session.flush()
    # then the owner and the guest may read beyond the office, the others are ruled out
    readers = (await personal_readers(session)).user_ids
    assert readers is not None
    assert {owner.id, guest.id} <= readers
    assert not {colleague.id, internal_owner.id} & readers
    # and past the row cap nobody is ruled out
    monkeypatch.setattr(calendar_source, "READERS_MAX_ROWS", 0)
    assert (await personal_readers(session)).user_ids is None


async def private_event(session: AsyncSession, owner: User, guests: list[User], uid: str) -> int:
    """A PRIVATE event written as a mutation writes it: with its change row, numbered as the relay would."""
    event = Event(uid=uid, title="closed", starts_at=START, ends_at=START + timedelta(hours=1),
                  visibility=Visibility.PRIVATE, owner_id=owner.id, module=CalendarModule.COORDINATION)
    session.add(event)
    await session.flush()
    session.add_all([EventParticipant(event_id=event.id, user_id=guest.id) for guest in guests])
    await record_change(session, "Event", event.id, ChangeOp.CREATED, {})
    await session.flush()
    return int(await session.scalar(text(
        "UPDATE change_log SET position = nextval('change_log_position_seq')"
        " WHERE position IS NULL RETURNING position")) or 0)


async def test_a_storm_across_positions_reads_the_changes_since_not_the_rows_again(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], make_user: UserFactory
) -> None:
    # given who may read beyond the office, looked up in a storm at one broker position
    hub = CalendarHub(sessionmaker)
    hub.readers_after = 0
    first = await private_event(session, await make_user(), [], "storm-first")
    await hub._readers(first)
    colleague = await make_user()
    costs: list[int] = []
    named: set[int] = set()
    for size in (1, 20):
        # when that many PRIVATE events are written, and members join at the next position
        owners = [await make_user() for _ in range(size)]
        guest = await make_user()
        position = 0
        for k, owner in enumerate(owners):
            position = await private_event(session, owner, [guest], f"storm-{size}-{k}")
        named |= {guest.id, *(owner.id for owner in owners)}
        with counting() as counted:
            readers = await hub._readers(position)
        costs.append(counted.own)
        # then the new owners and guests are among the readers, the colleague in nothing is not
        assert readers is not None and named <= readers and colleague.id not in readers
    # and each later lookup is one statement, however many rows were written before it (a scan is more)
    assert costs == [3, 3]  # the statement, inside the SAVEPOINT a test session opens and releases
