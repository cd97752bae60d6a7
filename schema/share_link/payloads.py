from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.share_link.types import ShareLinkType


@strawberry.type
class CreateShareLinkPayload:
    share_link: ShareLinkType | None
    token: str | None = strawberry.field(description="The secret; shown only in this answer, never stored.")
    url: str | None = strawberry.field(description="The feed: /calendar/feed/{token}.ics")
    errors: list[UserError]


@strawberry.type
class RevokeShareLinkPayload:
    share_link: ShareLinkType | None
    errors: list[UserError]
