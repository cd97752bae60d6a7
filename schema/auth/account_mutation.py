"""Account mutations: a user changes their own password; an ADMIN resets one or (de)activates a user."""
from __future__ import annotations

import strawberry

from resolvers import user_password as resolve
from schema.auth.password_types import (
    ChangePasswordInput,
    ResetPasswordInput,
    SetUserActiveInput,
    UserAccountPayload,
)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Change your own password; needs the current one.")
    async def change_password(self, info: strawberry.Info, input: ChangePasswordInput) -> UserAccountPayload:
        return await resolve.change_password(info.context, input)

    @strawberry.mutation(description="ADMIN: set another user's password (tell them to change it).")
    async def reset_password(self, info: strawberry.Info, input: ResetPasswordInput) -> UserAccountPayload:
        return await resolve.reset_password(info.context, input)

    @strawberry.mutation(description="ADMIN: deactivate (or reactivate) a user; their tokens stop working at once.")
    async def set_user_active(self, info: strawberry.Info, input: SetUserActiveInput) -> UserAccountPayload:
        return await resolve.set_user_active(info.context, input)
