"""Community mutations: check permission, validate, write, log the change."""
from __future__ import annotations

from db.enums import ChangeOp
from db.models import Community
from db.queries.logs import record_audit, record_change
from resolvers import validation as v
from resolvers.mutation import run_mutation
from schema.community.inputs import CreateCommunityInput
from schema.community.payloads import CreateCommunityPayload
from schema.community.types import CommunityType
from server.context import Context


async def create_community(ctx: Context, input: CreateCommunityInput) -> CreateCommunityPayload:
    async def work() -> CreateCommunityPayload:
        user = ctx.require_writer()
        community = Community(
            name=v.text(input.name, "name", max_length=200),
            code=v.optional_text(input.code, "code", max_length=32) or None,
            region=v.text(input.region, "region", max_length=200, required=False),
            population=input.population,
        )
        v.number_range(input.population, "population", low=0, high=2_000_000_000)
        ctx.session.add(community)
        await ctx.session.flush()
        await record_change(ctx.session, "Community", community.id, ChangeOp.CREATED, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="create", entity_type="Community",
                     entity_id=community.id, after={"name": community.name})
        await ctx.commit()
        return CreateCommunityPayload(community=CommunityType.from_model(community), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateCommunityPayload(community=None, errors=errors))
