from __future__ import annotations

import strawberry

from resolvers import community as resolve
from schema.community.inputs import CreateCommunityInput
from schema.community.payloads import CreateCommunityPayload


@strawberry.type
class CommunityMutation:
    @strawberry.mutation
    async def create_community(self, info: strawberry.Info, input: CreateCommunityInput) -> CreateCommunityPayload:
        return await resolve.create_community(info.context, input)
