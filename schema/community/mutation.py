from __future__ import annotations

import strawberry

from resolvers import community as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class CommunityMutation:
    create_community = mutation_field(resolve.create_community)

    update_community = mutation_field(
        resolve.update_community, description="Change a community's name, code, place or coordinates (MANAGER, ADMIN).")
