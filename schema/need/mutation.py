from __future__ import annotations

import strawberry

from resolvers import need as resolve
from resolvers import need_lifecycle
from schema.core.mutation_field import mutation_field


@strawberry.type
class NeedMutation:
    create_need = mutation_field(resolve.create_need)

    update_need = mutation_field(
        need_lifecycle.update_need, description="Edit a need or move it along its lifecycle (with expectedVersion).")
