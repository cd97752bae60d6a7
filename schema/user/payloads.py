from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.user.types import UserType


@strawberry.type
class SetMyTimezonePayload:
    user: UserType | None
    errors: list[UserError]
