"""The kanban board: one column per status, cards ordered by (position, id)."""
from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from db.queries.board import BoardColumnRows
from schema.task.types import TaskStatusEnum, TaskType, hours


@strawberry.type(name="BoardColumn")
class BoardColumnType:
    status: TaskStatusEnum  # type: ignore[valid-type]
    total_count: int = strawberry.field(description="All cards of the column matching the filter.")
    tasks: list[TaskType] = strawberry.field(description="The first cards, by position then id.")

    @classmethod
    def from_rows(cls, rows: BoardColumnRows) -> BoardColumnType:
        return cls(status=rows.status, total_count=rows.total, tasks=[card(t) for t in rows.tasks])


def card(row: Row[Any]) -> TaskType:
    """``TaskType.from_model`` for a plain row of ``TASK_COLUMNS``, unpacked by position: reading a
    Row's columns by name (or ``Row._tuple()``) cost ~15 us a card (a board of 1,000: 15 ms), ``tuple(row)`` ~3 us."""
    (id_, title, description, status, priority, domain, starts_on, due_at, completed_at, role, phase,
     estimated_hours, actual_hours, position, version, rrule, created_at, updated_at, *_links) = tuple(row)
    return TaskType(
        id=id_, title=title, description=description, status=status, priority=priority, domain=domain,
        starts_on=starts_on, due_at=due_at, completed_at=completed_at, role=role, phase=phase,
        estimated_hours=hours(estimated_hours), actual_hours=hours(actual_hours), position=position,
        version=version, rrule=rrule, created_at=created_at, updated_at=updated_at, _row=row,
    )


@strawberry.type(name="Board")
class BoardType:
    columns: list[BoardColumnType]
