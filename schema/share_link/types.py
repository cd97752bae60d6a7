"""Share links: a secret token serving a read-only, filtered iCalendar feed of its owner's view."""
from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from db.enums import CalendarModule, FeedPrivacy
from db.models import ShareLink
from schema.calendar.enums import CalendarModuleEnum
from schema.core.ids import to_global_id
from schema.core.node import ModelNode, load_node
from schema.user.types import UserType

FeedPrivacyEnum = strawberry.enum(FeedPrivacy, name="FeedPrivacy", description=(
    "How a share-link feed shows PRIVATE events: BUSY (busy time only), HIDDEN (left out), "
    "OWN_DETAILS (the owner's own in full, others' as busy time)."
))


@strawberry.type(name="ShareLink", description="The token itself is shown once, by createShareLink.")
class ShareLinkType(ModelNode):
    model = ShareLink
    id: relay.NodeID[int]
    name: str
    modules: list[CalendarModuleEnum]  # type: ignore[valid-type]
    community_ids: list[strawberry.ID]
    resource_ids: list[strawberry.ID]
    private_events: FeedPrivacyEnum  # type: ignore[valid-type]
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    _owner_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: ShareLink) -> Self:
        return cls(
            id=row.id, name=row.name, modules=[CalendarModule(m) for m in row.modules or []],
            community_ids=[strawberry.ID(to_global_id("Community", i)) for i in row.community_ids or []],
            resource_ids=[strawberry.ID(to_global_id("Resource", i)) for i in row.resource_ids or []],
            private_events=row.private_events, expires_at=row.expires_at, revoked_at=row.revoked_at,
            created_at=row.created_at, _owner_id=row.owner_id,
        )

    @strawberry.field(description="Whose calendar the feed shows.")
    async def owner(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._owner_id)

    @strawberry.field
    def active(self) -> bool:
        from datetime import UTC

        return self.revoked_at is None and (self.expires_at is None or self.expires_at > datetime.now(UTC))
