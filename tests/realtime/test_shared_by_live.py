"""``calendarChanged`` entries name the shared calendar they are on for each subscriber (the
entries of an office-wide change are computed once, their fields resolved per subscriber)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import CalendarModule, ChangeOp, Visibility
from db.models import CalendarGrant, ChangeLog, Event
from db.models.sharing import ShareLevel
from schema.core.ids import to_global_id
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    head_cursor,
    registered,
    subscribe,
    wait_subscribed,
)

CHANGED = """subscription ($start: DateTime!, $end: DateTime!, $after: String) {
  calendarChanged(start: $start, end: $end, after: $after) {
    sourceId entries { title sharedBy { __typename ... on User { id } } } } }"""
START = datetime(2035, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def forget_changes(committed_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Drop the change-log rows this test committed, so tests counting change rows later see none."""
    async with committed_sessionmaker() as session:
        first = await session.scalar(select(func.coalesce(func.max(ChangeLog.id), 0)))
    yield
    async with committed_sessionmaker() as session:
        await session.execute(delete(ChangeLog).where(ChangeLog.id > first))
        await session.commit()


async def test_each_subscriber_is_told_whose_shared_calendar_an_entry_is_on(
    live_server: LiveServer, committed: Committed, engine: AsyncEngine
) -> None:
    owner, grantee, other = await committed.user(), await committed.user(), await committed.user()
    await committed.add(CalendarGrant(owner_id=owner.id, grantee_user_id=grantee.id, level=ShareLevel.READ))
    after = await head_cursor(engine)
    variables = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat(), "after": after}
    subs = {}
    for user in (grantee, other):
        before = registered(live_server)
        subs[user.id] = await subscribe(live_server.ws_url, user, CHANGED, variables)
        await wait_subscribed(live_server, before)
    event = Event(uid=f"shared-live-{START.timestamp()}-{owner.id}", title="Site visit", owner_id=owner.id,
                  starts_at=START + timedelta(days=2), ends_at=START + timedelta(days=2, hours=1),
                  visibility=Visibility.INTERNAL, module=CalendarModule.COORDINATION)
    await committed.add(event, ("Event", ChangeOp.CREATED, {
        "module": event.module.value, "start": event.starts_at.isoformat(), "end": event.ends_at.isoformat(),
        "visibility": event.visibility.value, "owner_id": owner.id}))
    seen = {uid: (await sub.data())["calendarChanged"] for uid, sub in subs.items()}
    assert seen[grantee.id]["entries"] == [{"title": "Site visit",
                                            "sharedBy": {"__typename": "User", "id": to_global_id("User", owner.id)}}]
    assert seen[other.id]["entries"] == [{"title": "Site visit", "sharedBy": None}]
    for sub in subs.values():
        await sub.close()
