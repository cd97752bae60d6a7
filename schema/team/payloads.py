from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.user.types import TeamType


@strawberry.type
class TeamPayload:
    """The team as it is after the change (with its members), or null with errors."""

    team: TeamType | None
    errors: list[UserError]
