"""Calendar sharing (db/policies/sharing.py): a grant opens the owner's calendar to exactly the
people it reaches, at exactly its level, and a revoked grant closes it again."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TeamRole, Visibility
from db.models import ChangeLog, Team, TeamMembership, User
from db.policies import Viewer
from server.changes import Change
from tests.calendar import factories as f
from tests.conftest import GraphQL, UserFactory
from tests.policy.leaks import secret_marker, seen
from tests.task.conftest import gid

START = datetime(2031, 9, 1, 9, tzinfo=UTC)
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(days=1)).isoformat()}
SHARE = """mutation($grantee: ID!, $level: ShareLevel!, $owner: ID) {
  shareCalendar(input: {granteeId: $grantee, level: $level, ownerId: $owner}) { grant { id level } errors { code } } }"""
UNSHARE = "mutation($id: ID!) { unshareCalendar(input: {id: $id}) { deletedId errors { code } } }"
READ_PATHS = {
    "node": "query($event: ID!) { node(id: $event) { ... on Event { title description } } }",
    "events": """query($start: DateTime!, $end: DateTime!) { events(first: 50, filter: {start: $start, end: $end}) {
        edges { node { title } } } }""",
    "calendar": "query($start: DateTime!, $end: DateTime!) { calendar(start: $start, end: $end) { entries { title } } }",
}
FREE_BUSY = """query($users: [ID!]!, $start: DateTime!, $end: DateTime!) {
  freeBusy(userIds: $users, start: $start, end: $end) { userId visible busy { start end } } }"""


async def reads(gql: GraphQL, user: User | None, marker: str, event_id: int) -> dict[str, bool]:
    variables = {"event": gid("Event", event_id), **WINDOW}
    return {path: seen(marker, await gql(query, variables, user=user)) for path, query in READ_PATHS.items()}


async def share(gql: GraphQL, actor: User, grantee: str, level: str, **extra: Any) -> dict[str, Any]:
    body = await gql(SHARE, {"grantee": grantee, "level": level, **extra}, user=actor)
    result: dict[str, Any] = body["data"]["shareCalendar"]
    return result


async def test_read_grants_reach_the_grantee_and_team_members_only_until_revoked(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, grantee, member, other = await make_user(), await make_user(), await make_user(), await make_user()
    viewer = await make_user(Role.VIEWER)
    team = Team(name=f"MAO {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    session.add(TeamMembership(team_id=team.id, user_id=member.id))
    marker = secret_marker()
    hearing = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker,
                            description=f"{marker} details")
    everywhere = dict.fromkeys(READ_PATHS, True)
    nowhere = dict.fromkeys(READ_PATHS, False)
    for user in (grantee, member, other, viewer, None):
        assert await reads(gql, user, marker, hearing.id) == nowhere

    direct = await share(gql, owner, gid("User", grantee.id), "READ")
    assert direct["errors"] == []
    await share(gql, owner, gid("Team", team.id), "READ")

    assert await reads(gql, grantee, marker, hearing.id) == everywhere
    assert await reads(gql, member, marker, hearing.id) == everywhere
    for user in (other, viewer, None):
        assert await reads(gql, user, marker, hearing.id) == nowhere

    removed = await gql(UNSHARE, {"id": direct["grant"]["id"]}, user=owner)
    assert removed["data"]["unshareCalendar"]["errors"] == []
    assert await reads(gql, grantee, marker, hearing.id) == nowhere
    assert await reads(gql, member, marker, hearing.id) == everywhere


async def test_free_busy_shows_times_without_details_and_only_to_grantees(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, colleague, other = await make_user(), await make_user(), await make_user()
    marker = secret_marker()
    hearing = await f.event(session, START, 90, owner_id=owner.id, visibility=Visibility.PRIVATE, title=marker)
    await share(gql, owner, gid("User", colleague.id), "FREE_BUSY")
    variables = {"users": [gid("User", owner.id)], **WINDOW}

    granted = await gql(FREE_BUSY, variables, user=colleague)
    [answer] = granted["data"]["freeBusy"]
    assert answer["visible"] is True
    assert [(b["start"], b["end"]) for b in answer["busy"]] == [
        (hearing.starts_at.isoformat(), hearing.ends_at.isoformat())]
    assert not seen(marker, granted)
    assert await reads(gql, colleague, marker, hearing.id) == dict.fromkeys(READ_PATHS, False)

    refused = await gql(FREE_BUSY, variables, user=other)
    assert refused["data"]["freeBusy"] == [{"userId": gid("User", owner.id), "visible": False, "busy": []}]


async def test_write_grants_let_the_grantee_add_and_change_events_on_the_calendar(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, assistant, reader, other = await make_user(), await make_user(), await make_user(), await make_user()
    await share(gql, owner, gid("User", assistant.id), "WRITE")
    await share(gql, owner, gid("User", reader.id), "READ")
    private = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE, title="Appointment")
    create = """mutation($owner: ID!, $start: DateTime!, $end: DateTime!) { createEvent(input: {
        title: "Site visit", start: $start, end: $end, calendarOwnerId: $owner}) {
        event { owner { id } } errors { code } } }"""
    update = """mutation($id: ID!) { updateEvent(input: {id: $id, title: "Appointment (moved)"}) {
        event { title } errors { code } } }"""
    times = {"start": (START + timedelta(hours=3)).isoformat(), "end": (START + timedelta(hours=4)).isoformat()}

    made = await gql(create, {"owner": gid("User", owner.id), **times}, user=assistant)
    assert made["data"]["createEvent"]["event"]["owner"]["id"] == gid("User", owner.id)
    changed = await gql(update, {"id": gid("Event", private.id)}, user=assistant)
    assert changed["data"]["updateEvent"]["event"]["title"] == "Appointment (moved)"

    for user in (reader, other):
        refused = await gql(create, {"owner": gid("User", owner.id), **times}, user=user)
        assert [e["code"] for e in refused["data"]["createEvent"]["errors"]] == ["PERMISSION_DENIED"]
    denied = await gql(update, {"id": gid("Event", private.id)}, user=reader)
    assert [e["code"] for e in denied["data"]["updateEvent"]["errors"]] == ["PERMISSION_DENIED"]


async def test_only_the_owner_or_an_admin_shares_a_calendar(
    gql: GraphQL, make_user: UserFactory
) -> None:
    owner, intruder, admin = await make_user(), await make_user(), await make_user(Role.ADMIN)
    taken = await share(gql, intruder, gid("User", intruder.id), "WRITE", owner=gid("User", owner.id))
    assert [e["code"] for e in taken["errors"]] == ["PERMISSION_DENIED"]
    assert (await share(gql, admin, gid("User", intruder.id), "READ", owner=gid("User", owner.id)))["errors"] == []


async def test_a_grant_change_announces_the_private_events_to_new_and_former_readers(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    owner, grantee, other = await make_user(), await make_user(), await make_user()
    hearing = await f.event(session, START, owner_id=owner.id, visibility=Visibility.PRIVATE)
    grant = await share(gql, owner, gid("User", grantee.id), "READ")
    await gql(UNSHARE, {"id": grant["grant"]["id"]}, user=owner)

    rows = (await session.execute(
        select(ChangeLog).where(ChangeLog.entity_type == "Event", ChangeLog.entity_id == hearing.id)
        .order_by(ChangeLog.id)
    )).scalars().all()
    changes = [Change.from_row({**row.__dict__, "position": i + 1}) for i, row in enumerate(rows)]
    shared, unshared = changes[-2], changes[-1]
    grantee_view, other_view = Viewer(grantee.id, Role.STAFF), Viewer(other.id, Role.STAFF)
    assert shared.audience.includes(grantee_view) and not shared.removes_for(grantee_view)
    assert unshared.removes_for(grantee_view) and not unshared.audience.includes(grantee_view)
    assert not any(c.reaches(other_view) for c in changes)


async def test_an_admin_removes_any_grant_and_a_grantee_gives_theirs_back(
    gql: GraphQL, make_user: UserFactory, session: AsyncSession
) -> None:
    """Whoever may make a grant may remove it (the grant policy's write rule): an ADMIN shares
    another user's calendar or a team's they are not on, and removes those grants again."""
    owner, grantee, other, lead = await make_user(), await make_user(), await make_user(), await make_user()
    admin = await make_user(Role.ADMIN)
    team = Team(name=f"MAO {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    session.add(TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD))
    on_user = await share(gql, admin, gid("User", grantee.id), "READ", owner=gid("User", owner.id))
    on_team = await share(gql, admin, gid("User", grantee.id), "READ", owner=gid("Team", team.id))
    given_back = await share(gql, owner, gid("User", grantee.id), "WRITE")
    assert on_user["errors"] == on_team["errors"] == given_back["errors"] == []
    assert on_user["grant"]["id"] == given_back["grant"]["id"]  # one grant per owner and grantee

    async def unshare(grant: dict[str, Any], user: User) -> list[str]:
        body = await gql(UNSHARE, {"id": grant["grant"]["id"]}, user=user)
        return [e["code"] for e in body["data"]["unshareCalendar"]["errors"]]

    assert await unshare(on_team, other) == ["NOT_FOUND"]  # not read by them: as a missing id
    assert await unshare(on_team, admin) == []
    again = await share(gql, lead, gid("User", grantee.id), "READ", owner=gid("Team", team.id))
    assert await unshare(again, grantee) == []
    assert await unshare(on_user, admin) == []
