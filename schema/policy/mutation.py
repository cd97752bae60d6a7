from __future__ import annotations

import strawberry

from resolvers import policy as resolve
from resolvers import policy_lifecycle
from schema.policy.inputs import CreatePolicyInput, UpdatePolicyInput
from schema.policy.payloads import CreatePolicyPayload, UpdatePolicyPayload


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Also generates the default POLICY task set.")
    async def create_policy(self, info: strawberry.Info, input: CreatePolicyInput) -> CreatePolicyPayload:
        return await resolve.create_policy(info.context, input)

    @strawberry.mutation(description="Edit a policy or move it along its lifecycle (with expectedVersion).")
    async def update_policy(self, info: strawberry.Info, input: UpdatePolicyInput) -> UpdatePolicyPayload:
        return await policy_lifecycle.update_policy(info.context, input)
