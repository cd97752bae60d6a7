from __future__ import annotations

import strawberry

from db.queries.portfolio import DEFAULT_STALLED_AFTER_DAYS
from db.queries.ppa import PpaOrder
from resolvers import ppa_query as resolve
from schema.core.connection import Connection
from schema.ppa.inputs import PpaFilter, PpaOrderEnum
from schema.ppa.portfolio import PortfolioType
from schema.ppa.types import PpaType


@strawberry.type
class PpaQuery:
    @strawberry.field
    async def ppas(
        self, info: strawberry.Info, filter: PpaFilter | None = None,
        order_by: PpaOrderEnum = PpaOrder.TITLE,  # type: ignore[valid-type]
        first: int | None = None, after: str | None = None,
    ) -> Connection[PpaType]:
        return await resolve.resolve_ppas(info.context, filter, order_by, first, after)

    @strawberry.field(description="Dashboard totals and breakdowns of the PPAs matching the filter.")
    async def portfolio(
        self, info: strawberry.Info, filter: PpaFilter | None = None,
        stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
    ) -> PortfolioType:
        return await resolve.resolve_portfolio(info.context, filter, stalled_after_days)
