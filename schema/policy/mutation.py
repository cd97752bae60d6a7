from __future__ import annotations

import strawberry

from resolvers import policy as resolve
from schema.policy.inputs import CreatePolicyInput
from schema.policy.payloads import CreatePolicyPayload


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Also generates the default POLICY task set.")
    async def create_policy(self, info: strawberry.Info, input: CreatePolicyInput) -> CreatePolicyPayload:
        return await resolve.create_policy(info.context, input)
