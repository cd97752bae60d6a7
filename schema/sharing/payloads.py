from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.sharing.types import CalendarGrantType


@strawberry.type
class ShareCalendarPayload:
    grant: CalendarGrantType | None
    errors: list[UserError]


@strawberry.type
class UnshareCalendarPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]
