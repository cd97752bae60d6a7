"""Task data access: the filtered list, versioned updates, assignee/team sets, PPA progress."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskDomain, TaskPriority, TaskStatus
from db.models import Ppa, Task, TaskAssignee, TaskTeam
from db.policies import ANONYMOUS, Viewer, readable_by
from db.queries.search import contains, search_terms

CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)
PRIORITY_RANK = {TaskPriority.URGENT: 0, TaskPriority.HIGH: 1, TaskPriority.MEDIUM: 2, TaskPriority.LOW: 3}


class TaskOrder(StrEnum):
    DUE_AT_ASC = "DUE_AT_ASC"
    DUE_AT_DESC = "DUE_AT_DESC"
    PRIORITY = "PRIORITY"
    POSITION = "POSITION"
    CREATED_AT_DESC = "CREATED_AT_DESC"
    TITLE = "TITLE"


@dataclass(slots=True)
class TaskCriteria:
    """Who asks, and the decoded TaskFilter (plain ids and values).

    Every statement built from it reads only the tasks ``viewer`` may read
    (``db.policies.task``); an unset viewer is anonymous and reads none.
    """

    viewer: Viewer = ANONYMOUS
    statuses: list[TaskStatus] | None = None
    priorities: list[TaskPriority] | None = None
    domains: list[TaskDomain] | None = None
    assignee_ids: list[int] | None = None
    team_ids: list[int] | None = None
    ppa_id: int | None = None
    event_id: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue: bool | None = None
    search: str | None = None
    extra: list[ColumnElement[bool]] = field(default_factory=list)


def overdue_condition() -> ColumnElement[bool]:
    return (Task.due_at < func.now()) & Task.status.not_in(CLOSED_STATUSES)


def task_conditions(c: TaskCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [readable_by(Task, c.viewer), *c.extra]
    if c.statuses:
        conditions.append(Task.status.in_(c.statuses))
    if c.priorities:
        conditions.append(Task.priority.in_(c.priorities))
    if c.domains:
        conditions.append(Task.domain.in_(c.domains))
    if c.assignee_ids:
        conditions.append(  # correlate only Task: the analytics joins task_assignees outside too
            select(TaskAssignee.task_id)
            .where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(c.assignee_ids))
            .correlate(Task).exists()
        )
    if c.team_ids:
        conditions.append(
            select(TaskTeam.task_id)
            .where(TaskTeam.task_id == Task.id, TaskTeam.team_id.in_(c.team_ids))
            .correlate(Task).exists()
        )
    if c.ppa_id is not None:
        conditions.append(Task.ppa_id == c.ppa_id)
    if c.event_id is not None:
        conditions.append(Task.event_id == c.event_id)
    if c.due_before is not None:
        conditions.append(Task.due_at < c.due_before)
    if c.due_after is not None:
        conditions.append(Task.due_at >= c.due_after)
    if c.overdue is True:
        conditions.append(overdue_condition())
    elif c.overdue is False:
        conditions.append(~overdue_condition() | Task.due_at.is_(None))
    if (search := search_terms(c.search)) is not None:
        conditions.append(contains(search, Task.title, Task.description))
    return conditions


def priority_rank() -> ColumnElement[int]:
    return case(PRIORITY_RANK, value=Task.priority, else_=9)


@cache
def task_ordering(order: TaskOrder) -> tuple[Any, ...]:
    """ORDER BY of each ``TaskOrder``, built once (immutable SQL expressions)."""
    ordering: dict[TaskOrder, Callable[[], tuple[Any, ...]]] = {
        TaskOrder.DUE_AT_ASC: lambda: (Task.due_at.asc().nulls_last(), Task.id),
        TaskOrder.DUE_AT_DESC: lambda: (Task.due_at.desc().nulls_last(), Task.id.desc()),
        TaskOrder.PRIORITY: lambda: (priority_rank(), Task.due_at.asc().nulls_last(), Task.id),
        TaskOrder.POSITION: lambda: (Task.status, Task.position, Task.id),
        TaskOrder.CREATED_AT_DESC: lambda: (Task.created_at.desc(), Task.id.desc()),
        TaskOrder.TITLE: lambda: (Task.title, Task.id),
    }
    return ordering[order]()


def tasks_query(criteria: TaskCriteria, order: TaskOrder = TaskOrder.DUE_AT_ASC) -> Select[Task]:
    return select(Task).where(*task_conditions(criteria)).order_by(*task_ordering(order))


async def update_task_versioned(
    session: AsyncSession, task_id: int, expected_version: int, values: dict[str, Any]
) -> Task | None:
    """Apply ``values`` only if the row still has ``expected_version``; bump the version.

    The version check is part of the UPDATE's WHERE clause. Under READ COMMITTED a
    concurrent writer of the same row blocks on the row lock and, once the first
    commits, re-checks the WHERE against the new row: its version no longer
    matches, it updates nothing and the caller answers CONFLICT. No write is lost
    and no read-then-write window exists. None means "stale or gone".
    """
    stmt = (
        update(Task)
        .where(Task.id == task_id, Task.version == expected_version)
        .values(**values, version=Task.version + 1, updated_at=func.now())
        .returning(Task)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.scalars(stmt)).one_or_none()


async def assignee_ids_of(session: AsyncSession, task_id: int) -> list[int]:
    rows = await session.scalars(
        select(TaskAssignee.user_id).where(TaskAssignee.task_id == task_id).order_by(TaskAssignee.user_id)
    )
    return list(rows)


async def team_ids_of(session: AsyncSession, task_id: int) -> list[int]:
    rows = await session.scalars(
        select(TaskTeam.team_id).where(TaskTeam.task_id == task_id).order_by(TaskTeam.team_id)
    )
    return list(rows)


async def replace_assignees(session: AsyncSession, task_id: int, user_ids: Sequence[int]) -> None:
    await _replace_links(session, TaskAssignee, TaskAssignee.user_id, "user_id", task_id, user_ids)


async def replace_teams(session: AsyncSession, task_id: int, team_ids: Sequence[int]) -> None:
    await _replace_links(session, TaskTeam, TaskTeam.team_id, "team_id", task_id, team_ids)


async def _replace_links(
    session: AsyncSession, model: Any, column: Any, name: str, task_id: int, ids: Sequence[int]
) -> None:
    wanted = sorted(set(ids))
    await session.execute(delete(model).where(model.task_id == task_id, column.not_in(wanted)))
    if wanted:
        await session.execute(
            pg_insert(model)
            .values([{"task_id": task_id, name: pk} for pk in wanted])
            .on_conflict_do_nothing()
        )


async def add_links_bulk(session: AsyncSession, model: Any, name: str, pairs: Iterable[tuple[int, int]]) -> None:
    rows = [{"task_id": task_id, name: pk} for task_id, pk in pairs]
    if rows:
        await session.execute(pg_insert(model).values(rows).on_conflict_do_nothing())


async def recompute_ppa_progress(session: AsyncSession, ppa_ids: Iterable[int | None]) -> dict[int, int]:
    """Set each PPA's progress from its tasks in one UPDATE (rule: db/rules/progress.py).

    Runs in the caller's transaction; touches only ``ppas.progress`` (not the
    PPA's version: progress is derived, and bumping the version would make a
    PPA editor's next save conflict). Nothing fires from it, so it cannot recurse.
    Returns {ppa_id: new progress}; PPAs in the session are refreshed.
    """
    ids = sorted({pk for pk in ppa_ids if pk is not None})
    if not ids:
        return {}
    counted = func.count().filter(Task.status != TaskStatus.CANCELLED)
    done = func.count().filter(Task.status == TaskStatus.DONE)
    progress = (
        select(func.coalesce((100 * done) // func.nullif(counted, 0), 0))
        .where(Task.ppa_id == Ppa.id)
        .scalar_subquery()
    )
    stmt = (
        update(Ppa)
        .where(Ppa.id.in_(ids))
        .values(progress=progress)
        .returning(Ppa.id, Ppa.progress)
        .execution_options(synchronize_session="fetch")
    )
    rows = await session.execute(stmt)
    return {ppa_id: value for ppa_id, value in rows}


async def insert_tasks_once(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[Task]:
    """Insert tasks that carry a ``generation_key``; keys already present are skipped.

    ``INSERT ... ON CONFLICT (generation_key) WHERE generation_key IS NOT NULL DO
    NOTHING``: a racing transaction that inserted the same key first makes this
    one wait for its commit and then skip the row, so a task set is never
    created twice. Returns only the rows this call inserted.
    """
    if not rows:
        return []
    stmt = (
        pg_insert(Task)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["generation_key"], index_where=Task.generation_key.is_not(None))
        .returning(Task)
    )
    return list((await session.scalars(stmt, execution_options={"populate_existing": True})).all())
