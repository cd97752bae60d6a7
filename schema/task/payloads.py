from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.task.types import TaskType


@strawberry.type
class CreateTaskPayload:
    task: TaskType | None
    errors: list[UserError]


@strawberry.type
class UpdateTaskPayload:
    task: TaskType | None
    errors: list[UserError]


@strawberry.type
class MoveTaskPayload:
    task: TaskType | None
    errors: list[UserError]


@strawberry.type
class DeleteTaskPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]
