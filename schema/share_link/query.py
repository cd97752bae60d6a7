from __future__ import annotations

import strawberry

from db.models import ShareLink
from db.queries.share_link import share_links_query
from schema.core.connection import Connection, paginate
from schema.core.errors import DomainError, ErrorCode
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.share_link.types import ShareLinkType

SHARE_LINK_ORDER = sortable("ShareLink", {"NAME": ShareLink.name, "EXPIRES_AT": ShareLink.expires_at,
                                         "CREATED_AT": ShareLink.created_at}, ShareLink.id)


@SHARE_LINK_ORDER.input
class ShareLinkOrder(OrderInput):
    pass


@strawberry.type
class ShareLinkQuery:
    @strawberry.field(description="The viewer's own share links, newest first by default; with allOwners "
                      "(ADMIN only) every user's, so a leaked feed URL can be found and revoked.")
    async def share_links(
        self, info: strawberry.Info, include_inactive: bool = False, order_by: ShareLinkOrder | None = None,
        first: int | None = None, after: str | None = None, all_owners: bool = False,
    ) -> Connection[ShareLinkType]:
        ctx = info.context
        user = ctx.require_user()
        if all_owners and not ctx.viewer.is_admin:
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, "Only admins may list every user's share links.",
                                  "allOwners")
        stmt = share_links_query(ctx.viewer, None if all_owners else user.id, include_inactive=include_inactive)
        stmt = apply_order(stmt, SHARE_LINK_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=ShareLinkType.from_model)
