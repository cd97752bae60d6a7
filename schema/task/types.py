"""GraphQL types for tasks; enums of the task domain are defined here once."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self, cast

import strawberry
from strawberry import relay

from db.enums import TaskDomain, TaskPriority, TaskStatus, TemplateKind
from db.models import Task
from db.queries.task import CLOSED_STATUSES
from db.queries.task_columns import TaskColumns
from schema.attachment.fields import attachments_of
from schema.attachment.types import AttachmentType
from schema.community.types import CommunityType
from schema.core.connection import Connection
from schema.core.node import ModelNode, load_node
from schema.task import links as _links
from schema.user.types import TeamType, UserType

if TYPE_CHECKING:
    from schema.assessment.types import AssessmentType
    from schema.event.types import EventType
    from schema.need.types import NeedType
    from schema.policy.types import PolicyType
    from schema.ppa.types import PpaType

# Lazy: those modules import TaskType themselves.
PpaRef = Annotated["PpaType", strawberry.lazy("schema.ppa.types")]
EventRef = Annotated["EventType", strawberry.lazy("schema.event.types")]
AssessmentRef = Annotated["AssessmentType", strawberry.lazy("schema.assessment.types")]
PolicyRef = Annotated["PolicyType", strawberry.lazy("schema.policy.types")]
NeedRef = Annotated["NeedType", strawberry.lazy("schema.need.types")]

TaskStatusEnum = strawberry.enum(TaskStatus, name="TaskStatus")
TaskPriorityEnum = strawberry.enum(TaskPriority, name="TaskPriority")
TaskDomainEnum = strawberry.enum(TaskDomain, name="TaskDomain")
TemplateKindEnum = strawberry.enum(TemplateKind, name="TemplateKind")


def hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(name="Task")
class TaskType(ModelNode):
    model = Task
    id: relay.NodeID[int]
    title: str
    description: str
    status: TaskStatusEnum  # type: ignore[valid-type]
    priority: TaskPriorityEnum  # type: ignore[valid-type]
    domain: TaskDomainEnum  # type: ignore[valid-type]
    starts_on: date | None
    due_at: datetime | None
    completed_at: datetime | None
    role: str
    phase: str
    estimated_hours: float | None
    actual_hours: float | None
    position: float
    version: int = strawberry.field(description="Pass it back as expectedVersion when updating.")
    rrule: str | None
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[TaskColumns]  # an ORM Task or a plain row of its columns

    @classmethod
    def from_model(cls, row: TaskColumns) -> Self:
        return cls(
            id=row.id, title=row.title, description=row.description, status=row.status,
            priority=row.priority, domain=row.domain, starts_on=row.starts_on, due_at=row.due_at,
            completed_at=row.completed_at, role=row.role, phase=row.phase,
            estimated_hours=hours(row.estimated_hours), actual_hours=hours(row.actual_hours),
            position=row.position, version=row.version, rrule=row.rrule,
            created_at=row.created_at, updated_at=row.updated_at, _row=row,
        )

    @strawberry.field(description="Files attached to this task.")
    async def attachments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[AttachmentType]:
        return await attachments_of(info, "Task", self.id, first=first, after=after)

    @strawberry.field(description="Due in the past and neither DONE nor CANCELLED.")
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < datetime.now(UTC) and self.status not in CLOSED_STATUSES

    # Sync resolvers (schema.core.relations): a list that prefetched these answers without awaiting,
    # and the executor's fast path reads them from the loaders' caches without calling them.
    @strawberry.field
    @_links.assignees.field
    def assignees(self, info: strawberry.Info) -> list[UserType]:
        return cast("list[UserType]", _links.assignees.resolve(self, info.context))

    @strawberry.field
    @_links.teams.field
    def teams(self, info: strawberry.Info) -> list[TeamType]:
        return cast("list[TeamType]", _links.teams.resolve(self, info.context))

    @strawberry.field
    @_links.created_by.field
    def created_by(self, info: strawberry.Info) -> UserType | None:
        return cast("UserType | None", _links.created_by.resolve(self, info.context))

    @strawberry.field(description="The first task of the recurring series this one belongs to.")
    async def recurrence_parent(self, info: strawberry.Info) -> TaskType | None:
        return await load_node(info, TaskType, self._row.recurrence_parent_id)

    @strawberry.field
    @_links.community.field
    def community(self, info: strawberry.Info) -> CommunityType | None:
        return cast("CommunityType | None", _links.community.resolve(self, info.context))

    # The one linked object (at most one is set). A task linked to an event is shown
    # on the calendar through the event, not as its own entry.
    @strawberry.field
    @_links.ppa.field
    def ppa(self, info: strawberry.Info) -> PpaRef | None:
        return cast("PpaType | None", _links.ppa.resolve(self, info.context))

    @strawberry.field
    @_links.event.field
    def event(self, info: strawberry.Info) -> EventRef | None:
        return cast("EventType | None", _links.event.resolve(self, info.context))  # null for a PRIVATE event of others

    @strawberry.field
    async def assessment(self, info: strawberry.Info) -> AssessmentRef | None:
        from schema.assessment.types import AssessmentType

        return await load_node(info, AssessmentType, self._row.assessment_id)

    @strawberry.field
    async def policy(self, info: strawberry.Info) -> PolicyRef | None:
        from schema.policy.types import PolicyType

        return await load_node(info, PolicyType, self._row.policy_id)

    @strawberry.field
    async def need(self, info: strawberry.Info) -> NeedRef | None:
        from schema.need.types import NeedType

        return await load_node(info, NeedType, self._row.need_id)
