"""Team (MAO) administration: create and edit teams, add, re-role and remove members.

Managers and admins run the office's structure. Every change is a ``Team`` change-log
row (membership changes too: a team's members are part of what readers see of it).
"""
from __future__ import annotations

from typing import Any

from db.enums import ChangeOp, TeamRole
from db.models import Team, User
from db.policies.team import TEAMS
from db.queries.logs import record_audit, record_change
from db.queries.team import remove_membership, set_membership
from resolvers import validation as v
from resolvers.mutation import not_found, run_mutation
from resolvers.targets import editable_target, readable_target
from schema.core.ids import decode_id
from schema.team.inputs import (
    CreateTeamInput,
    RemoveTeamMemberInput,
    SetTeamMemberInput,
    UpdateTeamInput,
)
from schema.team.payloads import TeamPayload
from schema.user.types import TeamType
from server.context import Context


def snapshot(team: Team) -> dict[str, Any]:
    return {"name": team.name, "description": team.description,
            "holds_quarterly_coordination": team.holds_quarterly_coordination}


def failed(errors: list[Any]) -> TeamPayload:
    return TeamPayload(team=None, errors=errors)


async def locked_team(ctx: Context, value: str, field: str) -> Team:
    team: Team = await editable_target(ctx, TEAMS, decode_id(value, "Team", field=field), "Team", field,
                                       for_update=True)
    return team


async def saved(ctx: Context, team: Team, op: ChangeOp, change: dict[str, Any], *, actor_id: int, action: str,
                before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> TeamPayload:
    """Log the change (change log and audit), commit, answer the team as it is now."""
    await record_change(ctx.session, "Team", team.id, op, change, actor_id=actor_id)
    record_audit(ctx.session, actor_id=actor_id, action=action, entity_type="Team", entity_id=team.id,
                 before=before, after=after)
    await ctx.commit()
    return TeamPayload(team=TeamType.from_model(team), errors=[])


async def create_team(ctx: Context, input: CreateTeamInput) -> TeamPayload:
    async def work() -> TeamPayload:
        user = ctx.require_role(*TEAMS.editor_roles)
        team = Team(name=v.text(input.name, "input.name", max_length=200),
                    description=v.text(input.description, "input.description", max_length=2000, required=False),
                    holds_quarterly_coordination=input.holds_quarterly_coordination)
        ctx.session.add(team)
        await ctx.session.flush()
        return await saved(ctx, team, ChangeOp.CREATED, snapshot(team), actor_id=user.id, action="create",
                           after=snapshot(team))

    return await run_mutation(ctx, work, failed)


async def update_team(ctx: Context, input: UpdateTeamInput) -> TeamPayload:
    async def work() -> TeamPayload:
        user = ctx.require_role(*TEAMS.editor_roles)
        team = await locked_team(ctx, input.id, "input.id")
        before = snapshot(team)
        if input.name is not None:
            team.name = v.text(input.name, "input.name", max_length=200)
        if input.description is not None:
            team.description = v.text(input.description, "input.description", max_length=2000, required=False)
        if input.holds_quarterly_coordination is not None:
            team.holds_quarterly_coordination = input.holds_quarterly_coordination
        await ctx.session.flush()
        return await saved(ctx, team, ChangeOp.UPDATED, snapshot(team), actor_id=user.id, action="update",
                           before=before, after=snapshot(team))

    return await run_mutation(ctx, work, failed)


async def set_team_member(ctx: Context, input: SetTeamMemberInput) -> TeamPayload:
    async def work() -> TeamPayload:
        actor = ctx.require_role(*TEAMS.editor_roles)
        team = await locked_team(ctx, input.team_id, "input.teamId")
        member = await readable_target(ctx, User, decode_id(input.user_id, "User", field="input.userId"), "User",
                                       "input.userId")
        if not member.is_active:
            raise not_found("User", "input.userId")
        role = TeamRole(input.role)
        before = await set_membership(ctx.session, team.id, member.id, role, actor_id=actor.id)
        change = {"member_id": member.id, "role": role.value}
        return await saved(ctx, team, ChangeOp.UPDATED, change, actor_id=actor.id, action="set_member",
                           before={"member_id": member.id, "role": before.value if before else None}, after=change)

    return await run_mutation(ctx, work, failed)


async def remove_team_member(ctx: Context, input: RemoveTeamMemberInput) -> TeamPayload:
    async def work() -> TeamPayload:
        actor = ctx.require_role(*TEAMS.editor_roles)
        team = await locked_team(ctx, input.team_id, "input.teamId")
        user_id = decode_id(input.user_id, "User", field="input.userId")
        if not await remove_membership(ctx.session, team.id, user_id, actor_id=actor.id):
            raise not_found("Team member", "input.userId")
        return await saved(ctx, team, ChangeOp.UPDATED, {"removed_member_id": user_id}, actor_id=actor.id,
                           action="remove_member", before={"member_id": user_id})

    return await run_mutation(ctx, work, failed)
