from __future__ import annotations

import strawberry

from db.queries.community import communities_query
from schema.community.inputs import CommunityFilter
from schema.community.types import CommunityType
from schema.core.connection import Connection, paginate


@strawberry.type
class CommunityQuery:
    @strawberry.field
    async def communities(
        self, info: strawberry.Info, filter: CommunityFilter | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[CommunityType]:
        f = filter or CommunityFilter()
        stmt = communities_query(search=f.search, region=f.region)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=CommunityType.from_model)
