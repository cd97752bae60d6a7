from __future__ import annotations

import strawberry

from schema.user.types import RoleEnum


@strawberry.input
class CreateUserInput:
    email: str
    name: str
    password: str = strawberry.field(description="At least 8 characters; the user can change it later.")
    role: RoleEnum = RoleEnum.STAFF  # type: ignore[valid-type]
    timezone: str | None = strawberry.field(default=None, description="IANA zone; null uses the office zone.")


@strawberry.input
class ChangeUserRoleInput:
    user_id: strawberry.ID
    role: RoleEnum  # type: ignore[valid-type]
