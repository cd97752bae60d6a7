from __future__ import annotations

from datetime import datetime

import strawberry

from schema.calendar.enums import CalendarModuleEnum


@strawberry.input
class CreateShareLinkInput:
    name: str = ""
    modules: list[CalendarModuleEnum] | None = strawberry.field(default=None, description="Empty or null: all.")  # type: ignore[valid-type]
    community_ids: list[strawberry.ID] | None = None
    resource_ids: list[strawberry.ID] | None = None
    expires_at: datetime | None = None


@strawberry.input
class RevokeShareLinkInput:
    id: strawberry.ID
