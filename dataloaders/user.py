"""Loaders for users and teams."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader, group_pairs
from db.enums import TeamRole
from db.models import Team, TeamMembership, User


async def teams_by_user_id(reader: Reader, keys: Sequence[int]) -> list[list[Team]]:
    rows = await reader.session.execute(
        select(TeamMembership.user_id, Team)
        .join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.user_id.in_(keys), reader.readable(Team))
        .order_by(Team.name)
    )
    return group_pairs(rows.tuples(), keys)


async def members_by_team_id(reader: Reader, keys: Sequence[int]
) -> list[list[tuple[User, TeamRole]]]:
    rows = await reader.session.execute(
        select(TeamMembership.team_id, User, TeamMembership.role)
        .join(User, User.id == TeamMembership.user_id)
        .where(TeamMembership.team_id.in_(keys), reader.readable(User))
        .order_by(User.name)
    )
    return group_pairs(((team_id, (user, role)) for team_id, user, role in rows), keys)
