from __future__ import annotations

import strawberry

from resolvers import resource as resolve
from schema.resource.inputs import CreateResourceInput
from schema.resource.payloads import CreateResourcePayload


@strawberry.type
class ResourceMutation:
    @strawberry.mutation(description="Managers and admins only.")
    async def create_resource(self, info: strawberry.Info, input: CreateResourceInput) -> CreateResourcePayload:
        return await resolve.create_resource(info.context, input)
