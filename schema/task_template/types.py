"""GraphQL types for task templates and their items."""
from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from dataloaders.task import items_by_template_id
from db.models import TaskTemplate, TaskTemplateItem
from schema.core.node import ModelNode
from schema.task.types import TaskPriorityEnum, TemplateKindEnum, hours


@strawberry.type(name="TaskTemplateItem")
class TaskTemplateItemType(ModelNode):
    model = TaskTemplateItem
    id: relay.NodeID[int]
    sequence: int
    title: str = strawberry.field(description="May hold placeholders such as {ppa_title}.")
    description: str
    offset_days: int = strawberry.field(description="Days after the instantiation's start date the task is due.")
    role: str
    priority: TaskPriorityEnum  # type: ignore[valid-type]
    phase: str
    estimated_hours: float | None

    @classmethod
    def from_model(cls, row: TaskTemplateItem) -> Self:
        return cls(
            id=row.id, sequence=row.sequence, title=row.title, description=row.description,
            offset_days=row.offset_days, role=row.role, priority=row.priority, phase=row.phase,
            estimated_hours=hours(row.estimated_hours),
        )


@strawberry.type(name="TaskTemplate")
class TaskTemplateType(ModelNode):
    model = TaskTemplate
    id: relay.NodeID[int]
    name: str
    description: str
    kind: TemplateKindEnum  # type: ignore[valid-type]
    is_default: bool = strawberry.field(description="Drives automatic generation for its kind.")
    version: int = strawberry.field(default=1, description="Pass it back as expectedVersion when updating.")
    retired_at: datetime | None = strawberry.field(default=None, description="Retired templates are not used again.")

    @classmethod
    def from_model(cls, row: TaskTemplate) -> Self:
        return cls(id=row.id, name=row.name, description=row.description, kind=row.kind, is_default=row.is_default,
                   version=row.version, retired_at=row.retired_at)

    @strawberry.field
    async def items(self, info: strawberry.Info) -> list[TaskTemplateItemType]:
        rows = await info.context.loaders.of(items_by_template_id).load(self.id)
        return [TaskTemplateItemType.from_model(r) for r in rows]
