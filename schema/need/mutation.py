from __future__ import annotations

import strawberry

from resolvers import need as resolve
from resolvers import need_lifecycle
from schema.need.inputs import CreateNeedInput, UpdateNeedInput
from schema.need.payloads import CreateNeedPayload, UpdateNeedPayload


@strawberry.type
class NeedMutation:
    @strawberry.mutation
    async def create_need(self, info: strawberry.Info, input: CreateNeedInput) -> CreateNeedPayload:
        return await resolve.create_need(info.context, input)

    @strawberry.mutation(description="Edit a need or move it along its lifecycle (with expectedVersion).")
    async def update_need(self, info: strawberry.Info, input: UpdateNeedInput) -> UpdateNeedPayload:
        return await need_lifecycle.update_need(info.context, input)
