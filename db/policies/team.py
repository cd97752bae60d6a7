"""Teams (MAOs) and their memberships: office-wide, every signed-in user reads them."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Team, TeamMembership
from db.policies.audience import SIGNED_IN, Audience
from db.policies.base import OfficeWidePolicy
from db.policies.teams import of_teams
from db.policies.write import RoleEditable


class TeamPolicy(RoleEditable, OfficeWidePolicy[Team]):
    """MANAGER and ADMIN run the office's structure: teams and their memberships."""

    model = Team
    entity_type = "Team"
    editor_roles = (Role.MANAGER, Role.ADMIN)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(Team.id, team_ids)


class TeamMembershipPolicy(OfficeWidePolicy[TeamMembership]):
    """Keyed by user id: the table has no ``id`` column (its key is team and user)."""

    model = TeamMembership
    entity_type = "TeamMembership"

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return of_teams(TeamMembership.team_id, team_ids)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        found = await session.scalars(select(TeamMembership.user_id).where(TeamMembership.user_id.in_(list(ids))))
        return {user_id: SIGNED_IN for user_id in found}


TEAMS = TeamPolicy()
