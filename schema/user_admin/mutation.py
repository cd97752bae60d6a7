from __future__ import annotations

import strawberry

from resolvers import user_admin as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class UserAdminMutation:
    create_user = mutation_field(resolve.create_user, description="Create a user account (ADMIN).")

    change_user_role = mutation_field(
        resolve.change_user_role, description="Change a user's role (ADMIN); the last active ADMIN keeps theirs.")
