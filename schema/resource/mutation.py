from __future__ import annotations

import strawberry

from resolvers import resource as resolve
from resolvers import resource_admin
from schema.resource.inputs import CreateResourceInput, DeactivateResourceInput, UpdateResourceInput
from schema.resource.payloads import CreateResourcePayload, UpdateResourcePayload


@strawberry.type
class ResourceMutation:
    @strawberry.mutation(description="Managers and admins only.")
    async def create_resource(self, info: strawberry.Info, input: CreateResourceInput) -> CreateResourcePayload:
        return await resolve.create_resource(info.context, input)

    @strawberry.mutation(description="Edit a resource or (de)activate it (MANAGER, ADMIN; with expectedVersion).")
    async def update_resource(self, info: strawberry.Info, input: UpdateResourceInput) -> UpdateResourcePayload:
        return await resource_admin.update_resource(info.context, input)

    @strawberry.mutation(description="Take a resource out of service: no new bookings; existing ones stay.")
    async def deactivate_resource(self, info: strawberry.Info, input: DeactivateResourceInput) -> UpdateResourcePayload:
        return await resource_admin.deactivate_resource(info.context, input)
