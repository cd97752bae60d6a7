from __future__ import annotations

import strawberry

from resolvers import policy as resolve
from schema.core.connection import Connection
from schema.policy.inputs import PolicyFilter
from schema.policy.types import PolicyType


@strawberry.type
class PolicyQuery:
    @strawberry.field
    async def policies(
        self, info: strawberry.Info, filter: PolicyFilter | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[PolicyType]:
        return await resolve.resolve_policies(info.context, filter, first, after)
