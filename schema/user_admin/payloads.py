from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.user.types import UserType


@strawberry.type
class CreateUserPayload:
    user: UserType | None
    errors: list[UserError]


@strawberry.type
class ChangeUserRolePayload:
    user: UserType | None
    errors: list[UserError]
