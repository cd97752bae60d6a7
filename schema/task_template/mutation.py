from __future__ import annotations

import strawberry

from resolvers import task_template as resolve
from resolvers import task_template_lifecycle
from schema.core.mutation_field import mutation_field


@strawberry.type
class TaskTemplateMutation:
    create_task_template = mutation_field(resolve.create_task_template, description="Managers and admins only.")

    instantiate_task_template = mutation_field(
        resolve.instantiate_task_template, description="Idempotent per template, target and start date.")

    update_task_template = mutation_field(
        task_template_lifecycle.update_task_template,
        description="Rename a template, edit its description, make it its kind's default.",
    )

    retire_task_template = mutation_field(
        task_template_lifecycle.retire_task_template,
        description="Retire a template: kept for the tasks made from it, never used again.",
    )
