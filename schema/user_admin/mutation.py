from __future__ import annotations

import strawberry

from resolvers import user_admin as resolve
from schema.user_admin.inputs import ChangeUserRoleInput, CreateUserInput
from schema.user_admin.payloads import ChangeUserRolePayload, CreateUserPayload


@strawberry.type
class UserAdminMutation:
    @strawberry.mutation(description="Create a user account (ADMIN).")
    async def create_user(self, info: strawberry.Info, input: CreateUserInput) -> CreateUserPayload:
        return await resolve.create_user(info.context, input)

    @strawberry.mutation(description="Change a user's role (ADMIN); the last active ADMIN keeps theirs.")
    async def change_user_role(self, info: strawberry.Info, input: ChangeUserRoleInput) -> ChangeUserRolePayload:
        return await resolve.change_user_role(info.context, input)
