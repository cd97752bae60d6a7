"""Inputs of the task queries and mutations."""
from __future__ import annotations

from datetime import date, datetime

import strawberry

from db.queries.task import TaskOrder
from schema.task.types import TaskDomainEnum, TaskPriorityEnum, TaskStatusEnum

TaskOrderEnum = strawberry.enum(TaskOrder, name="TaskOrder")

LINK_DESCRIPTION = "Id of the one linked object: an Event, Ppa, Assessment, Policy, Need or Community."


@strawberry.input
class TaskFilter:
    status: list[TaskStatusEnum] | None = None  # type: ignore[valid-type]
    priority: list[TaskPriorityEnum] | None = None  # type: ignore[valid-type]
    domain: list[TaskDomainEnum] | None = None  # type: ignore[valid-type]
    assignee_ids: list[strawberry.ID] | None = None
    team_ids: list[strawberry.ID] | None = None
    ppa_id: strawberry.ID | None = None
    event_id: strawberry.ID | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue: bool | None = None
    search: str | None = None


@strawberry.input
class CreateTaskInput:
    title: str
    description: str = ""
    status: TaskStatusEnum = TaskStatusEnum.TODO  # type: ignore[valid-type]
    priority: TaskPriorityEnum = TaskPriorityEnum.MEDIUM  # type: ignore[valid-type]
    domain: TaskDomainEnum = TaskDomainEnum.GENERAL  # type: ignore[valid-type]
    starts_on: date | None = None
    due_at: datetime | None = None
    role: str = ""
    phase: str = ""
    estimated_hours: float | None = None
    actual_hours: float | None = None
    rrule: str | None = strawberry.field(default=None, description="RFC 5545 RRULE; needs dueAt.")
    assignee_ids: list[strawberry.ID] | None = None
    team_ids: list[strawberry.ID] | None = None
    link_id: strawberry.ID | None = strawberry.field(default=None, description=LINK_DESCRIPTION)


@strawberry.input(description="Omitted fields stay as they are; null clears a nullable one.")
class UpdateTaskInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description="The version read; a newer one answers CONFLICT.")
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: TaskStatusEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    priority: TaskPriorityEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    domain: TaskDomainEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    starts_on: date | None = strawberry.UNSET
    due_at: datetime | None = strawberry.UNSET
    role: str | None = strawberry.UNSET
    phase: str | None = strawberry.UNSET
    estimated_hours: float | None = strawberry.UNSET
    actual_hours: float | None = strawberry.UNSET
    rrule: str | None = strawberry.UNSET
    assignee_ids: list[strawberry.ID] | None = strawberry.UNSET
    team_ids: list[strawberry.ID] | None = strawberry.UNSET
    link_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description=LINK_DESCRIPTION)


@strawberry.input(description="Move a card to a column; place it after afterId and/or before beforeId, else at the end.")
class MoveTaskInput:
    id: strawberry.ID
    status: TaskStatusEnum  # type: ignore[valid-type]
    after_id: strawberry.ID | None = None
    before_id: strawberry.ID | None = None
    position: float | None = strawberry.field(default=None, description="An explicit position (ties order by id).")
    expected_version: int | None = None


@strawberry.input
class DeleteTaskInput:
    id: strawberry.ID
    expected_version: int | None = None
