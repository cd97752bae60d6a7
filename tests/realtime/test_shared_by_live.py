"""``calendarChanged`` entries name the shared calendar they are on for each subscriber (the
entries of an office-wide change are computed once, their fields resolved per subscriber)."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import CalendarModule, ChangeOp, Role, TeamRole, Visibility
from db.models import CalendarGrant, ChangeLog, Event, Team, TeamMembership
from db.models.sharing import ShareLevel
from schema.core.ids import to_global_id
from tests.realtime.conftest import (
    Committed,
    LiveServer,
    head_cursor,
    post_graphql,
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


SHARE = """mutation($grantee: ID!, $level: ShareLevel!, $owner: ID) {
  shareCalendar(input: {granteeId: $grantee, level: $level, ownerId: $owner}) { grant { id } errors { code } } }"""
UNSHARE = """mutation($id: ID!) { unshareCalendar(input: {id: $id}) { errors { code } } }"""
SHARED_BY = """subscription ($start: DateTime!, $end: DateTime!) {
  calendarChanged(start: $start, end: $end) { sourceId entries { title sharedBy { __typename } } } }"""


async def office_event(committed: Committed, title: str, owner_id: int, team_id: int | None = None) -> Event:
    event = Event(uid=f"shared-by-{title}-{owner_id}", title=title, owner_id=owner_id, team_id=team_id,
                  starts_at=START + timedelta(days=3), ends_at=START + timedelta(days=3, hours=1),
                  visibility=Visibility.INTERNAL, module=CalendarModule.COORDINATION)
    return await committed.add(event)  # type: ignore[no-any-return]


async def test_a_grant_change_refreshes_shared_by_on_the_grantees_live_calendar_only(
    live_server: LiveServer, committed: Committed, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Sharing a calendar at READ names it on the events already on it, live, without the events
    changing; going down to FREE_BUSY and unsharing take the name away again. Others hear nothing."""
    owner, grantee, other = await committed.user(), await committed.user(), await committed.user()
    event = await office_event(committed, "Budget hearing", owner.id)
    variables = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat()}
    subs = {}
    for user in (grantee, other):
        before = registered(live_server)
        subs[user.id] = await subscribe(live_server.ws_url, user, SHARED_BY, variables)
        await wait_subscribed(live_server, before)

    async def share(level: str) -> str:
        body = await post_graphql(live_server.http_url, SHARE, {"grantee": to_global_id("User", grantee.id),
                                                                 "level": level}, owner)
        assert body["data"]["shareCalendar"]["errors"] == [], body
        return str(body["data"]["shareCalendar"]["grant"]["id"])

    def seen(data: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return data["calendarChanged"]["sourceId"], data["calendarChanged"]["entries"]

    source = to_global_id("Event", event.id)
    try:
        grant = await share("READ")
        assert seen(await subs[grantee.id].data()) == (source, [{"title": "Budget hearing",
                                                                 "sharedBy": {"__typename": "User"}}])
        await share("WRITE")  # still named: nothing to tell (else the next message would say so)
        await share("FREE_BUSY")
        assert seen(await subs[grantee.id].data()) == (source, [{"title": "Budget hearing", "sharedBy": None}])
        await share("READ")
        assert seen(await subs[grantee.id].data())[1][0]["sharedBy"] == {"__typename": "User"}
        body = await post_graphql(live_server.http_url, UNSHARE, {"id": grant}, owner)
        assert body["data"]["unshareCalendar"]["errors"] == [], body
        assert seen(await subs[grantee.id].data()) == (source, [{"title": "Budget hearing", "sharedBy": None}])
        await subs[other.id].nothing_within(0.5)
    finally:
        for sub in subs.values():
            await sub.close()
        async with committed_sessionmaker() as session:
            await session.execute(delete(CalendarGrant).where(CalendarGrant.owner_id == owner.id))
            await session.commit()


async def test_a_team_calendar_shared_with_a_team_names_the_team_to_its_members_live(
    live_server: LiveServer, committed: Committed, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lead, organiser, member = await committed.user(), await committed.user(), await committed.user()
    suffix = uuid.uuid4().hex[:6]
    team, grantee_team = await committed.add(Team(name=f"MAO {suffix}")), await committed.add(Team(name=f"LGU {suffix}"))
    async with committed_sessionmaker() as session:
        session.add_all([TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD),
                         TeamMembership(team_id=grantee_team.id, user_id=member.id)])
        await session.commit()
    event = await office_event(committed, "Team planning", organiser.id, team.id)
    variables = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat()}
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, member, SHARED_BY, variables)
    await wait_subscribed(live_server, before)
    try:
        body = await post_graphql(live_server.http_url, SHARE, {
            "grantee": to_global_id("Team", grantee_team.id), "level": "READ", "owner": to_global_id("Team", team.id),
        }, lead)
        assert body["data"]["shareCalendar"]["errors"] == [], body
        data = (await sub.data())["calendarChanged"]
        assert (data["sourceId"], data["entries"]) == (
            to_global_id("Event", event.id), [{"title": "Team planning", "sharedBy": {"__typename": "Team"}}])
        grant = body["data"]["shareCalendar"]["grant"]["id"]
        body = await post_graphql(live_server.http_url, UNSHARE, {"id": grant}, lead)
        assert body["data"]["unshareCalendar"]["errors"] == [], body
        assert (await sub.data())["calendarChanged"]["entries"] == [{"title": "Team planning", "sharedBy": None}]
    finally:
        await sub.close()
        async with committed_sessionmaker() as session:
            await session.execute(delete(CalendarGrant).where(CalendarGrant.owner_team_id == team.id))
            await session.execute(delete(TeamMembership).where(TeamMembership.team_id.in_([team.id, grantee_team.id])))
            await session.commit()


SET_MEMBER = """mutation($team: ID!, $user: ID!) {
  setTeamMember(input: {teamId: $team, userId: $user}) { errors { code } } }"""
REMOVE_MEMBER = """mutation($team: ID!, $user: ID!) {
  removeTeamMember(input: {teamId: $team, userId: $user}) { errors { code } } }"""
REMOVED_IDS = """subscription ($start: DateTime!, $end: DateTime!) {
  calendarChanged(start: $start, end: $end) { sourceId removedEntryIds entries { title sharedBy { __typename } } } }"""


async def test_joining_and_leaving_a_team_a_calendar_is_shared_with_is_live_too(
    live_server: LiveServer, committed: Committed, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A team's grants reach its members at the time: joining the team names the shared calendar on
    its events and brings its PRIVATE events; leaving takes the name and the PRIVATE events away."""
    manager, owner, member = await committed.user(Role.MANAGER), await committed.user(), await committed.user()
    team = await committed.add(Team(name=f"LGU {uuid.uuid4().hex[:6]}"))
    office = await office_event(committed, "Office meeting", owner.id)
    private = await committed.add(Event(
        uid=f"shared-by-private-{owner.id}", title="Private visit", owner_id=owner.id,
        starts_at=START + timedelta(days=4), ends_at=START + timedelta(days=4, hours=1),
        visibility=Visibility.PRIVATE, module=CalendarModule.COORDINATION))
    await committed.add(CalendarGrant(owner_id=owner.id, grantee_team_id=team.id, level=ShareLevel.READ))
    variables = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat()}
    before = registered(live_server)
    sub = await subscribe(live_server.ws_url, member, REMOVED_IDS, variables)
    await wait_subscribed(live_server, before)
    ids = {"team": to_global_id("Team", team.id), "user": to_global_id("User", member.id)}

    async def changes(count: int) -> dict[str, dict[str, Any]]:
        seen = [(await sub.data())["calendarChanged"] for _ in range(count)]
        return {c["sourceId"]: {"entries": c["entries"], "removed": bool(c["removedEntryIds"])} for c in seen}

    named = [{"title": "Office meeting", "sharedBy": {"__typename": "User"}}]
    try:
        body = await post_graphql(live_server.http_url, SET_MEMBER, ids, manager)
        assert body["data"]["setTeamMember"]["errors"] == [], body
        assert await changes(2) == {
            to_global_id("Event", office.id): {"entries": named, "removed": False},
            to_global_id("Event", private.id): {"entries": [{"title": "Private visit",
                                                             "sharedBy": {"__typename": "User"}}], "removed": False},
        }
        body = await post_graphql(live_server.http_url, REMOVE_MEMBER, ids, manager)
        assert body["data"]["removeTeamMember"]["errors"] == [], body
        assert await changes(2) == {
            to_global_id("Event", office.id): {"entries": [{"title": "Office meeting", "sharedBy": None}],
                                               "removed": False},
            to_global_id("Event", private.id): {"entries": [], "removed": True},
        }
    finally:
        await sub.close()
        async with committed_sessionmaker() as session:
            await session.execute(delete(TeamMembership).where(TeamMembership.team_id == team.id))
            await session.commit()
