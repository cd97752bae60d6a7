"""Account mutations: a user changes their own password; an ADMIN resets one or (de)activates a user."""
from __future__ import annotations

import strawberry

from resolvers import user_password as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class AccountMutation:
    change_password = mutation_field(
        resolve.change_password, description="Change your own password; needs the current one.")

    reset_password = mutation_field(
        resolve.reset_password, description="ADMIN: set another user's password (tell them to change it).")

    set_user_active = mutation_field(
        resolve.set_user_active,
        description="ADMIN: deactivate (or reactivate) a user; their tokens stop working at once.",
    )
