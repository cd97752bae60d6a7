"""GraphQL types for users and teams."""
from __future__ import annotations

from typing import Self

import strawberry
from strawberry import relay

from dataloaders.registry import Record
from dataloaders.user import members_by_team_id, teams_by_user_id
from db.enums import Role, TeamRole
from db.models import Team, User
from db.policies.user import email_readable
from schema.core.node import ModelNode

RoleEnum = strawberry.enum(Role, name="Role")
TeamRoleEnum = strawberry.enum(TeamRole, name="TeamRole")


@strawberry.type(name="User")
class UserType(ModelNode):
    model = User
    id: relay.NodeID[int]
    name: str
    role: RoleEnum  # type: ignore[valid-type]
    is_active: bool
    _email: strawberry.Private[str]
    _timezone: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: User | Record) -> Self:
        return cls(
            id=row.id, name=row.name, role=row.role,
            is_active=row.is_active, _email=row.email, _timezone=row.timezone,
        )

    @strawberry.field(description="The user's IANA time zone (set with setMyTimezone), else the office's.")
    def timezone(self, info: strawberry.Info) -> str:
        return self._timezone or str(info.context.settings.organisation_timezone)

    @strawberry.field(description="Visible to the user themself, managers and admins.")
    def email(self, info: strawberry.Info) -> str | None:
        return self._email if email_readable(info.context.viewer, self.id) else None

    @strawberry.field
    async def teams(self, info: strawberry.Info) -> list[TeamType]:
        teams = await info.context.loaders.of(teams_by_user_id).load(self.id)
        return [TeamType.from_model(t) for t in teams]


@strawberry.type(name="TeamMember")
class TeamMemberType:
    user: UserType
    role: TeamRoleEnum  # type: ignore[valid-type]


@strawberry.type(name="Team")
class TeamType(ModelNode):
    model = Team
    id: relay.NodeID[int]
    name: str
    description: str
    holds_quarterly_coordination: bool

    @classmethod
    def from_model(cls, row: Team | Record) -> Self:
        return cls(
            id=row.id, name=row.name, description=row.description,
            holds_quarterly_coordination=row.holds_quarterly_coordination,
        )

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[TeamMemberType]:
        rows = await info.context.loaders.of(members_by_team_id).load(self.id)
        return [TeamMemberType(user=UserType.from_model(user), role=role) for user, role in rows]
