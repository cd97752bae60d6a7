from __future__ import annotations

import strawberry

from db.models import Need
from resolvers import need as resolve
from schema.core.connection import Connection
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.need.inputs import NeedFilter
from schema.need.types import NeedType

NEED_ORDER = sortable("Need", {"TITLE": Need.title, "CATEGORY": Need.category, "IDENTIFIED_ON": Need.identified_on,
                               "CREATED_AT": Need.created_at}, Need.id)


@NEED_ORDER.input
class NeedOrder(OrderInput):
    pass


@strawberry.type
class NeedQuery:
    @strawberry.field
    async def needs(
        self, info: strawberry.Info, filter: NeedFilter | None = None, order_by: NeedOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[NeedType]:
        return await resolve.resolve_needs(info.context, filter, first, after,
                                           order=lambda stmt: apply_order(stmt, NEED_ORDER, order_by))
