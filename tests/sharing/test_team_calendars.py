"""A team as grantor (db/policies/sharing.py): a team's calendar (the events filed under it) is
shared by its LEADs or an ADMIN at FREE_BUSY, READ or WRITE; its grants never open a PRIVATE
event filed under the team (leak matrix rows below)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role, TeamRole, Visibility
from db.models import Event, Notification, Team, TeamMembership, User
from jobs.shared_calendars import notify_calendar_followers
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import PATHS, secret_marker, seen
from tests.sharing.test_calendar_sharing import READ_PATHS, SHARE, UNSHARE, WINDOW, reads
from tests.task.conftest import gid

START = datetime(2031, 9, 1, 9, tzinfo=UTC)
TEAM_FREE_BUSY = """query($teams: [ID!]!, $start: DateTime!, $end: DateTime!) {
  teamFreeBusy(teamIds: $teams, start: $start, end: $end) { teamId visible busy { start end } } }"""
UPDATE = """mutation($id: ID!, $title: String!) { updateEvent(input: {id: $id, title: $title}) {
  event { title } errors { code } } }"""
GRANTS = "{ calendarGrants(first: 50) { edges { node { id level ownerTeam { id } owner { id } } } } }"


@dataclass
class TeamCalendar:
    team: Team
    lead: User
    member: User
    organiser: User
    participant: User
    grantee: User
    team_grantee_member: User  # on a team the calendar is shared with
    outsider: User
    viewer: User
    grantee_team: Team
    marker: str
    private: Event
    office: Event


@pytest.fixture
async def cal(session: AsyncSession, make_user: UserFactory) -> TeamCalendar:
    team, grantee_team = Team(name=f"MAO {uuid.uuid4().hex[:6]}"), Team(name=f"LGU {uuid.uuid4().hex[:6]}")
    session.add_all([team, grantee_team])
    await session.flush()
    lead, member, organiser, participant, grantee, team_grantee_member, outsider = [await make_user() for _ in range(7)]
    viewer = await make_user(Role.VIEWER)
    session.add_all([TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD),
                     TeamMembership(team_id=team.id, user_id=member.id, role=TeamRole.MEMBER),
                     TeamMembership(team_id=grantee_team.id, user_id=team_grantee_member.id)])
    marker = secret_marker()
    private = await f.event(session, START, 90, owner_id=organiser.id, team_id=team.id, visibility=Visibility.PRIVATE,
                            title=marker, description=f"{marker} details", participants=(participant.id,))
    office = await f.event(session, START + timedelta(hours=3), owner_id=organiser.id, team_id=team.id,
                           title="Coordination meeting")
    return TeamCalendar(team, lead, member, organiser, participant, grantee, team_grantee_member, outsider, viewer,
                        grantee_team, marker, private, office)


async def share(gql: GraphQL, actor: User, team: Team, grantee: str, level: str) -> dict[str, Any]:
    body = await gql(SHARE, {"grantee": grantee, "level": level, "owner": gid("Team", team.id)}, user=actor)
    result: dict[str, Any] = body["data"]["shareCalendar"]
    return result


async def test_a_teams_calendar_is_shared_by_its_leads_or_an_admin_only(
    gql: GraphQL, cal: TeamCalendar, make_user: UserFactory
) -> None:
    for actor in (cal.member, cal.outsider, cal.organiser):
        refused = await share(gql, actor, cal.team, gid("User", cal.grantee.id), "READ")
        assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    made = await share(gql, cal.lead, cal.team, gid("User", cal.grantee.id), "READ")
    assert made["errors"] == [] and made["grant"]["level"] == "READ"
    admin = await make_user(Role.ADMIN)
    assert (await share(gql, admin, cal.team, gid("Team", cal.grantee_team.id), "WRITE"))["errors"] == []
    missing = await gql(SHARE, {"grantee": gid("User", cal.grantee.id), "level": "READ",
                                "owner": gid("Team", 2_000_000_000)}, user=admin)
    assert [e["code"] for e in missing["data"]["shareCalendar"]["errors"]] == ["NOT_FOUND"]

    # the team's members and the grantees read the team's grants; nobody else does
    for user, count in ((cal.member, 2), (cal.lead, 2), (cal.grantee, 1), (cal.team_grantee_member, 1),
                        (cal.outsider, 0), (cal.viewer, 0)):
        edges = (await gql(GRANTS, user=user))["data"]["calendarGrants"]["edges"]
        assert len(edges) == count, (user.id, edges)
        assert all(e["node"]["ownerTeam"] == {"id": gid("Team", cal.team.id)} and e["node"]["owner"] is None
                   for e in edges)

    # a member who is not a LEAD may not remove a grant; a LEAD may
    assert [e["code"] for e in (await gql(UNSHARE, {"id": made["grant"]["id"]}, user=cal.member))
            ["data"]["unshareCalendar"]["errors"]] == ["PERMISSION_DENIED"]
    assert (await gql(UNSHARE, {"id": made["grant"]["id"]}, user=cal.lead))["data"]["unshareCalendar"]["errors"] == []


NON_READERS = ("grantee", "team_grantee_member", "lead", "member", "outsider", "viewer")
PATHS.extend((f"team calendar READ/WRITE grant: {path}", "Event (PRIVATE, filed under a team)", len(NON_READERS) + 2)
             for path in READ_PATHS)
PATHS.append(("teamFreeBusy", "Event (PRIVATE, filed under a team)", 4))


@pytest.mark.parametrize("level", ["READ", "WRITE"])
async def test_a_team_grant_never_opens_a_private_event_filed_under_the_team(
    gql: GraphQL, cal: TeamCalendar, level: str
) -> None:
    await share(gql, cal.lead, cal.team, gid("User", cal.grantee.id), level)
    await share(gql, cal.lead, cal.team, gid("Team", cal.grantee_team.id), level)
    await share(gql, cal.lead, cal.team, gid("Team", cal.team.id), level)  # even to the team itself
    for reader in (cal.organiser, cal.participant):
        assert await reads(gql, reader, cal.marker, cal.private.id) == dict.fromkeys(READ_PATHS, True)
    for name in NON_READERS:
        user = getattr(cal, name)
        assert await reads(gql, user, cal.marker, cal.private.id) == dict.fromkeys(READ_PATHS, False), name
    # a WRITE grant does not let anyone change it either: it reads as missing
    changed = await gql(UPDATE, {"id": gid("Event", cal.private.id), "title": "x"}, user=cal.grantee)
    assert [e["code"] for e in changed["data"]["updateEvent"]["errors"]] == ["NOT_FOUND"]


async def test_team_free_busy_shows_the_team_calendars_times_to_members_and_grantees_only(
    gql: GraphQL, cal: TeamCalendar
) -> None:
    await share(gql, cal.lead, cal.team, gid("User", cal.grantee.id), "FREE_BUSY")
    variables = {"teams": [gid("Team", cal.team.id)], **WINDOW}
    busy = [(cal.private.starts_at.isoformat(), cal.private.ends_at.isoformat()),
            (cal.office.starts_at.isoformat(), cal.office.ends_at.isoformat())]
    for user in (cal.grantee, cal.member):
        body = await gql(TEAM_FREE_BUSY, variables, user=user)
        [answer] = body["data"]["teamFreeBusy"]
        assert answer["visible"] is True and [(b["start"], b["end"]) for b in answer["busy"]] == busy
        assert not seen(cal.marker, body) and not seen(gid("Event", cal.private.id), body)
    for user in (cal.outsider, cal.viewer):
        body = await gql(TEAM_FREE_BUSY, variables, user=user)
        assert body["data"]["teamFreeBusy"] == [{"teamId": gid("Team", cal.team.id), "visible": False, "busy": []}]
    # FREE_BUSY on the team calendar reads no event in full
    assert await reads(gql, cal.grantee, cal.marker, cal.private.id) == dict.fromkeys(READ_PATHS, False)


async def test_write_on_a_teams_calendar_lets_the_grantee_change_its_office_events(
    gql: GraphQL, cal: TeamCalendar
) -> None:
    await share(gql, cal.lead, cal.team, gid("User", cal.grantee.id), "WRITE")
    await share(gql, cal.lead, cal.team, gid("User", cal.outsider.id), "READ")
    refused = await gql(UPDATE, {"id": gid("Event", cal.office.id), "title": "Moved"}, user=cal.outsider)
    assert [e["code"] for e in refused["data"]["updateEvent"]["errors"]] == ["PERMISSION_DENIED"]
    done = await gql(UPDATE, {"id": gid("Event", cal.office.id), "title": "Moved"}, user=cal.grantee)
    assert done["data"]["updateEvent"] == {"event": {"title": "Moved"}, "errors": []}


async def test_team_calendar_grantees_hear_of_its_changes_and_of_a_private_one_only_its_times(
    gql: GraphQL, cal: TeamCalendar, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await share(gql, cal.lead, cal.team, gid("User", cal.grantee.id), "READ")
    ctx = {"sessionmaker": sessionmaker}
    assert await notify_calendar_followers(ctx, cal.office.id, cal.organiser.id, "changed") == 1
    assert await notify_calendar_followers(ctx, cal.private.id, cal.organiser.id, "changed") == 1
    notices = list(await session.scalars(select(Notification).where(
        Notification.user_id == cal.grantee.id, Notification.kind == "shared_calendar_change")))
    titles = sorted(n.title for n in notices)
    assert titles == [f"{cal.team.name}'s calendar: Coordination meeting changed",
                      f"{cal.team.name}'s calendar: busy times changed"]
    assert not seen(cal.marker, [(n.title, n.body, n.subject_id) for n in notices])
