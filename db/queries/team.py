"""Team (MAO) administration: memberships written race-safely."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TeamRole
from db.models import TeamMembership


async def set_membership(session: AsyncSession, team_id: int, user_id: int, role: TeamRole) -> TeamRole | None:
    """Add the user to the team or change their role there; returns the role they had before."""
    before = await session.scalar(
        select(TeamMembership.role)
        .where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)
        .with_for_update()
    )
    stmt = insert(TeamMembership).values(team_id=team_id, user_id=user_id, role=role)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[TeamMembership.team_id, TeamMembership.user_id], set_={"role": role}))
    return TeamRole(before) if before is not None else None


async def remove_membership(session: AsyncSession, team_id: int, user_id: int) -> bool:
    result = await session.execute(
        delete(TeamMembership).where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
