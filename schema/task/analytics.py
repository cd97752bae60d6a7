"""taskAnalytics: each breakdown is its own lazily resolved SQL aggregate."""
from __future__ import annotations

from enum import StrEnum
from typing import TypedDict

import strawberry

from db.enums import TaskDomain, TaskPriority, TaskStatus
from db.models import Task, Team, User
from db.queries import task_analytics as sql
from db.queries.task import TaskCriteria
from db.queries.task_analytics import Workload
from schema.task.types import TaskDomainEnum, TaskPriorityEnum, TaskStatusEnum
from schema.user.types import TeamType, UserType


def in_enum_order(rows: list[Workload], enum: type[StrEnum]) -> list[Workload]:
    order = {member: index for index, member in enumerate(enum)}
    return sorted(rows, key=lambda w: order[w.key])


class Measures(TypedDict):
    """TaskWorkloadType's own fields, to spread into it and its subtypes."""

    count: int
    open: int
    done: int
    overdue: int
    estimated_hours: float
    actual_hours: float
    estimated_hours_done: float


@strawberry.type(name="TaskWorkload", description="Counts and hours of a set of tasks.")
class TaskWorkloadType:
    count: int
    open: int = strawberry.field(description="Neither DONE nor CANCELLED.")
    done: int
    overdue: int
    estimated_hours: float
    actual_hours: float
    estimated_hours_done: float = strawberry.field(description="Estimate of the DONE tasks, to compare with actual.")

    @staticmethod
    def measures(w: Workload) -> Measures:
        return {
            "count": w.count, "open": w.open, "done": w.done, "overdue": w.overdue,
            "estimated_hours": w.estimated_hours, "actual_hours": w.actual_hours,
            "estimated_hours_done": w.estimated_hours_done,
        }


@strawberry.type(name="StatusWorkload")
class StatusWorkloadType(TaskWorkloadType):
    status: TaskStatusEnum  # type: ignore[valid-type]


@strawberry.type(name="DomainWorkload")
class DomainWorkloadType(TaskWorkloadType):
    domain: TaskDomainEnum  # type: ignore[valid-type]


@strawberry.type(name="PriorityWorkload")
class PriorityWorkloadType(TaskWorkloadType):
    priority: TaskPriorityEnum  # type: ignore[valid-type]


@strawberry.type(name="AssigneeWorkload", description="A task with several assignees counts for each.")
class AssigneeWorkloadType(TaskWorkloadType):
    user: UserType | None


@strawberry.type(name="TeamWorkload")
class TeamWorkloadType(TaskWorkloadType):
    team: TeamType | None


@strawberry.type(name="TaskAnalytics")
class TaskAnalyticsType:
    _criteria: strawberry.Private[TaskCriteria]

    @strawberry.field
    async def summary(self, info: strawberry.Info) -> TaskWorkloadType:
        totals = await sql.totals(info.context.session, self._criteria)
        return TaskWorkloadType(**TaskWorkloadType.measures(totals))

    @strawberry.field
    async def by_status(self, info: strawberry.Info) -> list[StatusWorkloadType]:
        rows = await sql.by_column(info.context.session, self._criteria, Task.status)
        rows = in_enum_order(rows, TaskStatus)
        return [StatusWorkloadType(status=w.key, **TaskWorkloadType.measures(w)) for w in rows]

    @strawberry.field
    async def by_domain(self, info: strawberry.Info) -> list[DomainWorkloadType]:
        rows = await sql.by_column(info.context.session, self._criteria, Task.domain)
        rows = in_enum_order(rows, TaskDomain)
        return [DomainWorkloadType(domain=w.key, **TaskWorkloadType.measures(w)) for w in rows]

    @strawberry.field
    async def by_priority(self, info: strawberry.Info) -> list[PriorityWorkloadType]:
        rows = await sql.by_column(info.context.session, self._criteria, Task.priority)
        rows = in_enum_order(rows, TaskPriority)
        return [PriorityWorkloadType(priority=w.key, **TaskWorkloadType.measures(w)) for w in rows]

    @strawberry.field
    async def by_assignee(self, info: strawberry.Info) -> list[AssigneeWorkloadType]:
        rows = await sql.by_assignee(info.context.session, self._criteria)
        users = await info.context.loaders.by_id(User).load_many([w.key for w in rows])
        return [
            AssigneeWorkloadType(user=UserType.from_model(u) if u else None, **TaskWorkloadType.measures(w))
            for w, u in zip(rows, users, strict=True)
        ]

    @strawberry.field
    async def by_team(self, info: strawberry.Info) -> list[TeamWorkloadType]:
        rows = await sql.by_team(info.context.session, self._criteria)
        teams = await info.context.loaders.by_id(Team).load_many([w.key for w in rows])
        return [
            TeamWorkloadType(team=TeamType.from_model(t) if t else None, **TaskWorkloadType.measures(w))
            for w, t in zip(rows, teams, strict=True)
        ]
