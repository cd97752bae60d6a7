"""Queries for users and teams."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Team, TeamMembership, User


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def users_query(*, search: str | None = None, role: Role | None = None, team_id: int | None = None) -> Select[User]:
    stmt = select(User).where(User.is_active.is_(True))
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(User.name.ilike(pattern) | User.email.ilike(pattern))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if team_id is not None:
        stmt = stmt.where(User.id.in_(select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)))
    return stmt.order_by(User.name, User.id)


def teams_query(*, search: str | None = None) -> Select[Team]:
    stmt = select(Team)
    if search:
        stmt = stmt.where(Team.name.ilike(f"%{search.strip()}%"))
    return stmt.order_by(Team.name, Team.id)
