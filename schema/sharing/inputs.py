from __future__ import annotations

import strawberry

from schema.sharing.types import ShareLevelEnum


@strawberry.input
class ShareCalendarInput:
    grantee_id: strawberry.ID = strawberry.field(description="A User or a Team.")
    level: ShareLevelEnum  # type: ignore[valid-type]
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose calendar (yours when left out): another User's (ADMIN only) or a Team's "
                                  "(the events filed under it; its LEADs and ADMIN share it).")


@strawberry.input
class UnshareCalendarInput:
    id: strawberry.ID
