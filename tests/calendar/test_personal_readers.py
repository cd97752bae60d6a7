"""Who may read anything of the calendar beyond the office: what a reconnect storm's members
are checked against before their own part of a window is read (server/calendar_hub.py)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule, Visibility
from db.models import Event, EventParticipant
from db.queries import calendar_source
from db.queries.calendar_source import personal_readers
from tests.conftest import UserFactory


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
    readers = await personal_readers(session)
    assert readers is not None
    assert {owner.id, guest.id} <= readers
    assert not {colleague.id, internal_owner.id} & readers
    # and past the row cap nobody is ruled out
    monkeypatch.setattr(calendar_source, "READERS_MAX_ROWS", 0)
    assert await personal_readers(session) is None
