from __future__ import annotations

import strawberry

from resolvers import share_link as resolve
from schema.share_link.inputs import CreateShareLinkInput, RevokeShareLinkInput
from schema.share_link.payloads import CreateShareLinkPayload, RevokeShareLinkPayload


@strawberry.type
class ShareLinkMutation:
    @strawberry.mutation
    async def create_share_link(self, info: strawberry.Info, input: CreateShareLinkInput) -> CreateShareLinkPayload:
        return await resolve.create_share_link(info.context, input)

    @strawberry.mutation
    async def revoke_share_link(self, info: strawberry.Info, input: RevokeShareLinkInput) -> RevokeShareLinkPayload:
        return await resolve.revoke_share_link(info.context, input)
