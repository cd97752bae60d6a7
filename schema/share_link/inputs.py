from __future__ import annotations

from datetime import datetime

import strawberry

from db.enums import FeedPrivacy
from schema.calendar.enums import CalendarModuleEnum
from schema.share_link.types import FeedPrivacyEnum


@strawberry.input
class CreateShareLinkInput:
    name: str = ""
    modules: list[CalendarModuleEnum] | None = strawberry.field(default=None, description="Empty or null: all.")  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    resource_ids: list[strawberry.ID] | None = None
    expires_at: datetime | None = None
    private_events: FeedPrivacyEnum = strawberry.field(  # type: ignore[valid-type]
        default=FeedPrivacy.BUSY,
        description="How the feed shows PRIVATE events; by default only as busy time.",
    )


@strawberry.input
class RevokeShareLinkInput:
    id: strawberry.ID
