"""Loaders for users and teams."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dataloaders.registry import group_pairs
from db.enums import TeamRole
from db.models import Team, TeamMembership, User


async def teams_by_user_id(session: AsyncSession, keys: Sequence[int]) -> list[list[Team]]:
    rows = await session.execute(
        select(TeamMembership.user_id, Team)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.user_id.in_(keys))
        .order_by(Team.name)
    )
    return group_pairs(rows.tuples(), keys)


async def members_by_team_id(
    session: AsyncSession, keys: Sequence[int]
) -> list[list[tuple[User, TeamRole]]]:
    rows = await session.execute(
        select(TeamMembership.team_id, User, TeamMembership.role)
        .join(User, User.id == TeamMembership.user_id)
        .where(TeamMembership.team_id.in_(keys))
        .order_by(User.name)
    )
    return group_pairs(((team_id, (user, role)) for team_id, user, role in rows), keys)
