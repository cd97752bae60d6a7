from __future__ import annotations

import strawberry

from resolvers import policy as resolve
from resolvers import policy_lifecycle
from schema.core.mutation_field import mutation_field


@strawberry.type
class PolicyMutation:
    create_policy = mutation_field(resolve.create_policy, description="Also generates the default POLICY task set.")

    update_policy = mutation_field(
        policy_lifecycle.update_policy,
        description="Edit a policy or move it along its lifecycle (with expectedVersion).",
    )
