from __future__ import annotations

import strawberry

from resolvers import team as resolve
from schema.team.inputs import (
    CreateTeamInput,
    RemoveTeamMemberInput,
    SetTeamMemberInput,
    UpdateTeamInput,
)
from schema.team.payloads import TeamPayload


@strawberry.type
class TeamMutation:
    @strawberry.mutation(description="Create a team (an MAO) (MANAGER, ADMIN).")
    async def create_team(self, info: strawberry.Info, input: CreateTeamInput) -> TeamPayload:
        return await resolve.create_team(info.context, input)

    @strawberry.mutation(description="Rename a team, change its description or quarterly flag (MANAGER, ADMIN).")
    async def update_team(self, info: strawberry.Info, input: UpdateTeamInput) -> TeamPayload:
        return await resolve.update_team(info.context, input)

    @strawberry.mutation(description="Add a member to a team or change their role in it (MANAGER, ADMIN).")
    async def set_team_member(self, info: strawberry.Info, input: SetTeamMemberInput) -> TeamPayload:
        return await resolve.set_team_member(info.context, input)

    @strawberry.mutation(description="Remove a member from a team (MANAGER, ADMIN).")
    async def remove_team_member(self, info: strawberry.Info, input: RemoveTeamMemberInput) -> TeamPayload:
        return await resolve.remove_team_member(info.context, input)
