"""Queries for users and teams."""
from __future__ import annotations

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, Role
from db.models import Team, TeamMembership, User
from db.policies import Viewer, policy_for
from db.policies.user import may_search_email
from db.queries.logs import record_change
from db.queries.search import contains, search_terms


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def users_query(viewer: Viewer, *, search: str | None = None, role: Role | None = None,
                team_id: int | None = None) -> Select[User]:
    """Active users ``viewer`` may read; a search matches names for everyone and email addresses
    only where the viewer may read them (``db/policies/user.py``): every address for MANAGER and
    ADMIN, their own for anyone else."""
    stmt = policy_for(User).select(viewer).where(User.is_active.is_(True))
    if (terms := search_terms(search)) is not None:
        if may_search_email(viewer):
            stmt = stmt.where(contains(terms, User.name, User.email))
        else:
            own_email = and_(User.id == viewer.user_id, contains(terms, User.email)) if viewer.signed_in else false()
            stmt = stmt.where(or_(contains(terms, User.name), own_email))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if team_id is not None:
        stmt = stmt.where(User.id.in_(select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)))
    return stmt.order_by(User.name, User.id)


def teams_query(viewer: Viewer, *, search: str | None = None) -> Select[Team]:
    stmt = policy_for(Team).select(viewer)
    if (terms := search_terms(search)) is not None:
        stmt = stmt.where(contains(terms, Team.name))
    return stmt.order_by(Team.name, Team.id)


async def revoke_tokens(session: AsyncSession, user: User, *, actor_id: int | None) -> None:
    """Every bearer token issued to ``user`` so far stops working once this commits.

    The change row reaches every server process: their user caches drop the user and their
    open websockets of the user are re-checked (closed 4403) at once.
    """
    user.token_version = user.token_version + 1
    await record_change(session, "User", user.id, ChangeOp.UPDATED, {"tokens_revoked": True}, actor_id=actor_id)
