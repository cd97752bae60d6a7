"""Team (MAO) administration: memberships written race-safely, and what they tell live calendars.

Every way of changing a membership (the GraphQL mutations, ``almanac team member``) goes
through these, so a member who joins or leaves a team that calendars are shared with is told
at once (``db.queries.grant_changes``).
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TeamRole
from db.models import TeamMembership
from db.queries.grant_changes import announce_team_reach, team_reach


async def set_membership(session: AsyncSession, team_id: int, user_id: int, role: TeamRole, *,
                         actor_id: int | None) -> TeamRole | None:
    """Add the user to the team or change their role there; returns the role they had before."""
    before = await session.scalar(
        select(TeamMembership.role)
        .where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)
        .with_for_update()
    )
    reach = await team_reach(session, team_id) if before is None else None
    stmt = insert(TeamMembership).values(team_id=team_id, user_id=user_id, role=role)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[TeamMembership.team_id, TeamMembership.user_id], set_={"role": role}))
    if reach is not None:
        await announce_team_reach(session, reach, user_id, actor_id=actor_id)
    return TeamRole(before) if before is not None else None


async def remove_membership(session: AsyncSession, team_id: int, user_id: int, *, actor_id: int | None) -> bool:
    """Take the user out of the team; False when they were not in it."""
    reach = await team_reach(session, team_id)
    result = await session.execute(
        delete(TeamMembership).where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await announce_team_reach(session, reach, user_id, actor_id=actor_id)
    return True
