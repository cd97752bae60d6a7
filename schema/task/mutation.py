from __future__ import annotations

import strawberry

from resolvers import task as resolve
from resolvers.task_move import move_task
from schema.core.mutation_field import mutation_field


@strawberry.type
class TaskMutation:
    create_task = mutation_field(resolve.create_task)

    update_task = mutation_field(
        resolve.update_task, description="Needs expectedVersion; a stale one answers CONFLICT.")

    move_task = mutation_field(move_task)

    delete_task = mutation_field(resolve.delete_task)
