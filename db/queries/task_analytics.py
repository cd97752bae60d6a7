"""Task analytics as SQL aggregates: one GROUP BY statement per breakdown, none per row.

Every breakdown runs over the same filtered task set (``TaskCriteria``), so the
figures add up. Hours are summed as NUMERIC in SQL; "open" means not DONE/CANCELLED.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskStatus
from db.models import Task, TaskAssignee, TaskTeam
from db.policies.task import workload_readable
from db.queries.task import CLOSED_STATUSES, TaskCriteria, overdue_condition, task_conditions


@dataclass(slots=True)
class Workload:
    key: Any  # a status, domain, priority, user id or team id
    count: int
    open: int
    done: int
    overdue: int
    estimated_hours: float
    actual_hours: float
    estimated_hours_done: float


def _measures() -> list[ColumnElement[Any]]:
    done = Task.status == TaskStatus.DONE
    return [
        func.count(Task.id),
        func.count(Task.id).filter(Task.status.not_in(CLOSED_STATUSES)),
        func.count(Task.id).filter(done),
        func.count(Task.id).filter(overdue_condition()),
        func.coalesce(func.sum(Task.estimated_hours), 0),
        func.coalesce(func.sum(Task.actual_hours), 0),
        func.coalesce(func.sum(Task.estimated_hours).filter(done), 0),
    ]


def _workload(key: Any, row: Any) -> Workload:
    count, open_, done, overdue, estimated, actual, estimated_done = row
    return Workload(
        key=key, count=int(count), open=int(open_), done=int(done), overdue=int(overdue),
        estimated_hours=_hours(estimated), actual_hours=_hours(actual), estimated_hours_done=_hours(estimated_done),
    )


def _hours(value: Decimal | int | None) -> float:
    return float(value or 0)


def visible_assignees_only(criteria: TaskCriteria) -> None:
    """Narrow an ``assigneeIds`` filter to the people whose workload the viewer may see.

    Filtering analytics by one person IS that person's workload, so the filter obeys the
    same rule as ``by_assignee``: someone else's figures answer as if they had no tasks.
    """
    if not criteria.assignee_ids:
        return
    criteria.extra.append(
        select(TaskAssignee.task_id)
        .where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(criteria.assignee_ids),
               workload_readable(criteria.viewer, TaskAssignee.user_id))
        .correlate(Task)
        .exists()
    )


async def totals(session: AsyncSession, criteria: TaskCriteria) -> Workload:
    row = (await session.execute(select(*_measures()).where(*task_conditions(criteria)))).one()
    return _workload(None, row)


async def _grouped(session: AsyncSession, stmt: Select[Any]) -> list[Workload]:
    return [_workload(row[0], row[1:]) for row in await session.execute(stmt)]


async def by_column(session: AsyncSession, criteria: TaskCriteria, column: Any) -> list[Workload]:
    stmt = (
        select(column, *_measures()).where(*task_conditions(criteria)).group_by(column).order_by(column)
    )
    return await _grouped(session, stmt)


async def by_assignee(session: AsyncSession, criteria: TaskCriteria) -> list[Workload]:
    """Per user: a task with two assignees counts for each of them (its full hours for each).

    Only the people whose workload the viewer may see (``db.policies.task.workload_readable``):
    themselves, members of a team they lead, everyone for MANAGER and ADMIN.
    """
    stmt = (
        select(TaskAssignee.user_id, *_measures())
        .join(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(*task_conditions(criteria), workload_readable(criteria.viewer, TaskAssignee.user_id))
        .group_by(TaskAssignee.user_id)
        .order_by(TaskAssignee.user_id)
    )
    return await _grouped(session, stmt)


async def by_team(session: AsyncSession, criteria: TaskCriteria) -> list[Workload]:
    stmt = (
        select(TaskTeam.team_id, *_measures())
        .join(TaskTeam, TaskTeam.task_id == Task.id)
        .where(*task_conditions(criteria))
        .group_by(TaskTeam.team_id)
        .order_by(TaskTeam.team_id)
    )
    return await _grouped(session, stmt)
