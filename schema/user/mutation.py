from __future__ import annotations

import strawberry

from resolvers import user_timezone as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class UserMutation:
    set_my_timezone = mutation_field(
        resolve.set_my_timezone, description="Set or clear your own time zone (floating times of your imports use it).")
