from __future__ import annotations

from datetime import date

import strawberry

from schema.task.types import TaskPriorityEnum, TemplateKindEnum


@strawberry.input
class TaskTemplateItemInput:
    title: str
    offset_days: int = 0
    description: str = ""
    role: str = ""
    priority: TaskPriorityEnum = TaskPriorityEnum.MEDIUM  # type: ignore[valid-type]
    phase: str = ""
    estimated_hours: float | None = None
    sequence: int | None = strawberry.field(default=None, description="Defaults to the item's place in the list.")


@strawberry.input
class CreateTaskTemplateInput:
    name: str
    kind: TemplateKindEnum  # type: ignore[valid-type]
    description: str = ""
    is_default: bool = strawberry.field(default=False, description="Replaces the kind's current default.")
    items: list[TaskTemplateItemInput] | None = None


@strawberry.input
class InstantiateTaskTemplateInput:
    template_id: strawberry.ID
    start_date: date
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="The object the tasks belong to: a Ppa, Assessment, Policy, Event, Need or Community."
    )


@strawberry.input
class TaskTemplateFilter:
    kind: TemplateKindEnum | None = None  # type: ignore[valid-type]
    search: str | None = None


@strawberry.input(description="Omitted fields stay as they are.")
class UpdateTaskTemplateInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    is_default: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true makes it its kind's default (the previous default stops being one).")


@strawberry.input
class RetireTaskTemplateInput:
    id: strawberry.ID
    expected_version: int
