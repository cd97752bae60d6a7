"""Every way of changing a team membership (GraphQL, ``almanac team member``) goes through
``db.queries.team``, and that operation itself tells the member what joining or leaving a team
that calendars are shared with changed for them. The live path is in
``tests/realtime/test_shared_by_live.py``; this pins the operation the CLI calls."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule, ChangeOp, TeamRole, Visibility
from db.models import CalendarGrant, ChangeLog, Event, Team
from db.models.sharing import ShareLevel
from db.queries.team import remove_membership, set_membership
from tests.conftest import UserFactory

START = datetime(2031, 5, 5, 9, tzinfo=UTC)


async def told_to(session: AsyncSession, user_id: int, event_ids: set[int]) -> dict[int, list[ChangeOp]]:
    rows = (await session.execute(
        select(ChangeLog.entity_id, ChangeLog.op, ChangeLog.audience_user_ids, ChangeLog.former_user_ids)
        .where(ChangeLog.entity_type == "Event", ChangeLog.entity_id.in_(event_ids)).order_by(ChangeLog.id))).all()
    told: dict[int, list[ChangeOp]] = {}
    for entity_id, op, audience, former in rows:
        if user_id in audience or user_id in (former or []):
            told.setdefault(entity_id, []).append(op)
    return told


async def test_joining_and_leaving_tells_the_member_of_the_team_s_shared_calendars(
    session: AsyncSession, make_user: UserFactory
) -> None:
    owner, member = await make_user(), await make_user()
    team = Team(name=f"LGU {uuid.uuid4().hex[:6]}")
    session.add(team)
    await session.flush()
    office = Event(uid=f"reach-office-{owner.id}", title="Office", owner_id=owner.id, starts_at=START,
                   ends_at=START + timedelta(hours=1), module=CalendarModule.COORDINATION)
    private = Event(uid=f"reach-private-{owner.id}", title="Private", owner_id=owner.id,
                    starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=1),
                    visibility=Visibility.PRIVATE, module=CalendarModule.COORDINATION)
    session.add_all([office, private, CalendarGrant(owner_id=owner.id, grantee_team_id=team.id,
                                                    level=ShareLevel.READ)])
    await session.flush()
    events = {office.id, private.id}

    assert await set_membership(session, team.id, member.id, TeamRole.MEMBER, actor_id=None) is None
    await session.flush()
    joined = await told_to(session, member.id, events)
    assert joined == {office.id: [ChangeOp.UPDATED], private.id: [ChangeOp.UPDATED]}

    assert await set_membership(session, team.id, member.id, TeamRole.LEAD, actor_id=None) is TeamRole.MEMBER
    await session.flush()
    assert await told_to(session, member.id, events) == joined, "a role change is not a change of reach"

    assert await remove_membership(session, team.id, member.id, actor_id=None)
    await session.flush()
    left = await told_to(session, member.id, events)
    assert left == {office.id: [ChangeOp.UPDATED] * 2, private.id: [ChangeOp.UPDATED] * 2}
    assert not await remove_membership(session, team.id, member.id, actor_id=None)
