from __future__ import annotations

import strawberry

from schema.community.types import CommunityType
from schema.core.errors import UserError


@strawberry.type
class CreateCommunityPayload:
    community: CommunityType | None
    errors: list[UserError]


@strawberry.type
class UpdateCommunityPayload:
    community: CommunityType | None
    errors: list[UserError]
