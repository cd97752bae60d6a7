from __future__ import annotations

import strawberry

from resolvers import need as resolve
from schema.need.inputs import CreateNeedInput
from schema.need.payloads import CreateNeedPayload


@strawberry.type
class NeedMutation:
    @strawberry.mutation
    async def create_need(self, info: strawberry.Info, input: CreateNeedInput) -> CreateNeedPayload:
        return await resolve.create_need(info.context, input)
