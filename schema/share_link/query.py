from __future__ import annotations

import strawberry

from db.models import ShareLink
from db.queries.share_link import share_links_query
from schema.core.connection import Connection, paginate
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.share_link.types import ShareLinkType

SHARE_LINK_ORDER = sortable("ShareLink", {"NAME": ShareLink.name, "EXPIRES_AT": ShareLink.expires_at,
                                         "CREATED_AT": ShareLink.created_at}, ShareLink.id)


@SHARE_LINK_ORDER.input
class ShareLinkOrder(OrderInput):
    pass


@strawberry.type
class ShareLinkQuery:
    @strawberry.field(description="The viewer's own share links, newest first by default.")
    async def share_links(
        self, info: strawberry.Info, include_inactive: bool = False, order_by: ShareLinkOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[ShareLinkType]:
        user = info.context.require_user()
        stmt = apply_order(share_links_query(user.id, include_inactive=include_inactive), SHARE_LINK_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=ShareLinkType.from_model)
