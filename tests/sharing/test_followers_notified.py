"""People a calendar is shared with hear about its changes, at the detail their level allows."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Visibility
from db.models import Notification
from jobs.shared_calendars import notify_calendar_followers
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import secret_marker, seen
from tests.task.conftest import gid

START = datetime(2031, 10, 6, 9, tzinfo=UTC)
SHARE = """mutation($grantee: ID!, $level: ShareLevel!) {
  shareCalendar(input: {granteeId: $grantee, level: $level}) { errors { code } } }"""


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    calls: list[tuple[str, tuple[Any, ...]]] = []

    async def record(ctx: Any, job_name: str, *args: Any, job_id: str | None = None) -> None:
        calls.append((job_name, args))

    monkeypatch.setattr("resolvers.event_update.enqueue", record)
    return calls


async def test_readers_learn_what_changed_free_busy_grantees_only_that_times_did(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession], enqueued: list[tuple[str, tuple[Any, ...]]],
) -> None:
    owner, reader, busy_only, stranger = (await make_user(), await make_user(), await make_user(),
                                          await make_user())
    for grantee, level in ((reader, "READ"), (busy_only, "FREE_BUSY")):
        body = await gql(SHARE, {"grantee": gid("User", grantee.id), "level": level}, user=owner)
        assert body["data"]["shareCalendar"]["errors"] == []
    marker = secret_marker()
    event = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker)

    moved = await gql("""mutation($id: ID!, $start: DateTime!, $end: DateTime!) {
        updateEvent(input: {id: $id, start: $start, end: $end}) { errors { code } } }""",
                      {"id": gid("Event", event.id), "start": (START + timedelta(hours=2)).isoformat(),
                       "end": (START + timedelta(hours=3)).isoformat()}, user=owner)
    assert moved["data"]["updateEvent"]["errors"] == []
    assert ("notify_calendar_followers", (event.id, owner.id, "changed")) in enqueued

    ctx = {"sessionmaker": sessionmaker}
    assert await notify_calendar_followers(ctx, event.id, owner.id, "changed") == 2
    assert await notify_calendar_followers(ctx, event.id, owner.id, "changed") == 0  # a rerun adds nothing
    notices = {n.user_id: n for n in await session.scalars(select(Notification).where(
        Notification.kind == "shared_calendar_change", Notification.subject_id.is_(None) | (
            Notification.subject_id == event.id)))}
    assert set(notices) == {reader.id, busy_only.id}  # not the owner who moved it, not a stranger
    assert marker in notices[reader.id].title
    assert not seen(marker, {"title": notices[busy_only.id].title, "body": notices[busy_only.id].body})
    assert stranger.id not in notices
