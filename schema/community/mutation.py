from __future__ import annotations

import strawberry

from resolvers import community as resolve
from schema.community.inputs import CreateCommunityInput, UpdateCommunityInput
from schema.community.payloads import CreateCommunityPayload, UpdateCommunityPayload


@strawberry.type
class CommunityMutation:
    @strawberry.mutation
    async def create_community(self, info: strawberry.Info, input: CreateCommunityInput) -> CreateCommunityPayload:
        return await resolve.create_community(info.context, input)

    @strawberry.mutation(description="Change a community's name, code, place or coordinates (MANAGER, ADMIN).")
    async def update_community(self, info: strawberry.Info, input: UpdateCommunityInput) -> UpdateCommunityPayload:
        return await resolve.update_community(info.context, input)
