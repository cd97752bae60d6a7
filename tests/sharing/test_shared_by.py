"""``CalendarEntry.sharedBy``: the user or team whose calendar, shared with the viewer at READ or
WRITE, an event entry is on; null for the viewer's own entries and for office events on no
calendar shared with them. Batched: the statement count does not grow with the window."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Visibility
from db.models import CalendarGrant, Event, Team, User
from db.models.sharing import ShareLevel
from db.statements import counting
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import gid

START = datetime(2032, 5, 3, 9, tzinfo=UTC)
CALENDAR = """query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) {
  entries { title sharedBy { __typename ... on User { id name } ... on Team { id name } } } } }"""


def window(days: int = 7) -> dict[str, str]:
    return {"start": START.isoformat(), "end": (START + timedelta(days=days)).isoformat()}


async def shared_by(gql: GraphQL, user: User, days: int = 7) -> dict[str, Any]:
    body = await gql(CALENDAR, window(days), user=user)
    assert "errors" not in body, body
    return {e["title"]: e["sharedBy"] for e in body["data"]["calendar"]["entries"]}


async def grant(session: AsyncSession, level: ShareLevel, *, owner: User | None = None, team: Team | None = None,
                to_user: User | None = None, to_team: Team | None = None) -> CalendarGrant:
    row = CalendarGrant(owner_id=owner.id if owner else None, owner_team_id=team.id if team else None, level=level,
                        grantee_user_id=to_user.id if to_user else None, grantee_team_id=to_team.id if to_team else None)
    session.add(row)
    await session.flush()
    return row


async def test_entries_name_the_user_or_team_whose_shared_calendar_they_are_on(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, grantee, busy_only, other, organiser = (await make_user(), await make_user(), await make_user(),
                                                   await make_user(), await make_user())
    team = Team(name=f"MAO {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    await f.event(session, START, owner_id=owner.id, title="Owner office", visibility=Visibility.INTERNAL)
    await f.event(session, START + timedelta(hours=2), owner_id=owner.id, title="Owner private",
                  visibility=Visibility.PRIVATE)
    await f.event(session, START + timedelta(days=1), owner_id=grantee.id, title="Grantee own")
    await f.event(session, START + timedelta(days=2), owner_id=other.id, title="Someone else")
    await f.event(session, START + timedelta(days=3), owner_id=organiser.id, team_id=team.id, title="Team meeting")
    await grant(session, ShareLevel.READ, owner=owner, to_user=grantee)
    await grant(session, ShareLevel.FREE_BUSY, owner=owner, to_user=busy_only)
    await grant(session, ShareLevel.WRITE, team=team, to_user=grantee)

    as_owner_user = {"__typename": "User", "id": gid("User", owner.id), "name": owner.name}
    as_team = {"__typename": "Team", "id": gid("Team", team.id), "name": team.name}
    assert await shared_by(gql, grantee) == {
        "Owner office": as_owner_user, "Owner private": as_owner_user, "Grantee own": None, "Someone else": None,
        "Team meeting": as_team,
    }
    # the owner's own calendar, a FREE_BUSY grantee and an outsider: nothing is named as shared
    assert set((await shared_by(gql, owner)).values()) == {None}
    assert "Owner private" not in await shared_by(gql, busy_only)
    for user in (busy_only, other):
        assert set((await shared_by(gql, user)).values()) == {None}


async def seed_shared_events(session: AsyncSession, owner: User, count: int, offset: int) -> None:
    await session.execute(insert(Event), [
        {"uid": f"shared-{uuid.uuid4().hex}", "title": f"Shared {offset + i}", "owner_id": owner.id,
         "visibility": Visibility.PRIVATE if i % 2 else Visibility.INTERNAL,
         "starts_at": START + timedelta(minutes=10 * i), "ends_at": START + timedelta(minutes=10 * i + 5)}
        for i in range(count)])


async def test_shared_by_costs_the_same_statements_for_a_small_and_a_large_window(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, grantee = await make_user(), await make_user()
    await grant(session, ShareLevel.READ, owner=owner, to_user=grantee)

    async def count() -> tuple[int, int]:
        with counting() as counter:
            entries = await shared_by(gql, grantee, days=30)
        assert entries and all(v == {"__typename": "User", "id": gid("User", owner.id), "name": owner.name}
                               for v in entries.values())
        return len(entries), counter.count

    await seed_shared_events(session, owner, 5, 0)
    small = await count()
    await seed_shared_events(session, owner, 500, 5)
    large = await count()
    assert small[0] == 5 and large[0] == 505
    assert small[1] == large[1], f"{small[0]} entries: {small[1]} statements; {large[0]} entries: {large[1]}"
