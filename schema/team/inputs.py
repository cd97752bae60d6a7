from __future__ import annotations

import strawberry

from schema.user.types import TeamRoleEnum


@strawberry.input
class CreateTeamInput:
    name: str
    description: str = ""
    holds_quarterly_coordination: bool = strawberry.field(
        default=True, description="Whether the quarterly scheduler creates this team's coordination meeting.")


@strawberry.input
class UpdateTeamInput:
    """Omitted fields keep their value."""

    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    holds_quarterly_coordination: bool | None = None


@strawberry.input
class SetTeamMemberInput:
    """Adds the user to the team, or changes their role there."""

    team_id: strawberry.ID
    user_id: strawberry.ID
    role: TeamRoleEnum = TeamRoleEnum.MEMBER  # type: ignore[valid-type]


@strawberry.input
class RemoveTeamMemberInput:
    team_id: strawberry.ID
    user_id: strawberry.ID
