"""Inputs and the payload of the account mutations (changePassword, resetPassword, setUserActive)."""
from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.user.types import UserType


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class ResetPasswordInput:
    user_id: strawberry.ID
    new_password: str


@strawberry.input
class SetUserActiveInput:
    user_id: strawberry.ID
    active: bool


@strawberry.type
class UserAccountPayload:
    user: UserType | None
    errors: list[UserError]
    token: str | None = strawberry.field(
        default=None,
        description="changePassword: a new bearer token. A password change revokes every token issued "
                    "before it, the caller's too; null for the other account mutations.",
    )
