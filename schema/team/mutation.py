from __future__ import annotations

import strawberry

from resolvers import team as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class TeamMutation:
    create_team = mutation_field(resolve.create_team, description="Create a team (an MAO) (MANAGER, ADMIN).")

    update_team = mutation_field(
        resolve.update_team, description="Rename a team, change its description or quarterly flag (MANAGER, ADMIN).")

    set_team_member = mutation_field(
        resolve.set_team_member, description="Add a member to a team or change their role in it (MANAGER, ADMIN).")

    remove_team_member = mutation_field(
        resolve.remove_team_member, description="Remove a member from a team (MANAGER, ADMIN).")
