from __future__ import annotations

import strawberry

from db.models import Policy
from resolvers import policy as resolve
from schema.core.connection import Connection
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.policy.inputs import PolicyFilter
from schema.policy.types import PolicyType

POLICY_ORDER = sortable("Policy", {"TITLE": Policy.title, "CODE": Policy.code, "EFFECTIVE_ON": Policy.effective_on,
                                   "REVIEW_ON": Policy.review_on, "CREATED_AT": Policy.created_at}, Policy.id)


@POLICY_ORDER.input
class PolicyOrder(OrderInput):
    pass


@strawberry.type
class PolicyQuery:
    @strawberry.field
    async def policies(
        self, info: strawberry.Info, filter: PolicyFilter | None = None, order_by: PolicyOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[PolicyType]:
        return await resolve.resolve_policies(info.context, filter, first, after,
                                              order=lambda stmt: apply_order(stmt, POLICY_ORDER, order_by))
