from __future__ import annotations

import strawberry

from db.queries.share_link import share_links_query
from schema.core.connection import Connection, paginate
from schema.share_link.types import ShareLinkType


@strawberry.type
class ShareLinkQuery:
    @strawberry.field(description="The viewer's own share links, newest first.")
    async def share_links(
        self, info: strawberry.Info, include_inactive: bool = False, first: int | None = None, after: str | None = None,
    ) -> Connection[ShareLinkType]:
        user = info.context.require_user()
        stmt = share_links_query(user.id, include_inactive=include_inactive)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=ShareLinkType.from_model)
