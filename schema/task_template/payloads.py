from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.task.types import TaskType
from schema.task_template.types import TaskTemplateType


@strawberry.type
class CreateTaskTemplatePayload:
    template: TaskTemplateType | None
    errors: list[UserError]


@strawberry.type
class InstantiateTaskTemplatePayload:
    tasks: list[TaskType] = strawberry.field(description="The template's tasks for this target and start date.")
    created_count: int = strawberry.field(description="How many of them this call created (0 on a repeat).")
    errors: list[UserError]


@strawberry.type
class UpdateTaskTemplatePayload:
    template: TaskTemplateType | None
    errors: list[UserError]
