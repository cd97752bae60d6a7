from __future__ import annotations

import strawberry

from db.models import Community
from db.queries.community import communities_query
from schema.community.inputs import CommunityFilter
from schema.community.types import CommunityType
from schema.core.connection import Connection, paginate
from schema.core.ordering import OrderInput, apply_order, sortable

COMMUNITY_ORDER = sortable("Community", {"NAME": Community.name, "REGION": Community.region,
                                         "PROVINCE": Community.province,
                                         "POPULATION": Community.population,
                                         "CREATED_AT": Community.created_at}, Community.id)


@COMMUNITY_ORDER.input
class CommunityOrder(OrderInput):
    pass


@strawberry.type
class CommunityQuery:
    @strawberry.field
    async def communities(
        self, info: strawberry.Info, filter: CommunityFilter | None = None,
        order_by: CommunityOrder | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[CommunityType]:
        f = filter or CommunityFilter()
        stmt = apply_order(communities_query(search=f.search, region=f.region, province=f.province), COMMUNITY_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=CommunityType.from_model)
