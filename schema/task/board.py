"""The kanban board: one column per status, cards ordered by (position, id)."""
from __future__ import annotations

import strawberry

from db.queries.board import BoardColumnRows
from schema.task.types import TaskStatusEnum, TaskType


@strawberry.type(name="BoardColumn")
class BoardColumnType:
    status: TaskStatusEnum  # type: ignore[valid-type]
    total_count: int = strawberry.field(description="All cards of the column matching the filter.")
    tasks: list[TaskType] = strawberry.field(description="The first cards, by position then id.")

    @classmethod
    def from_rows(cls, rows: BoardColumnRows) -> BoardColumnType:
        return cls(status=rows.status, total_count=rows.total, tasks=[TaskType.from_model(t) for t in rows.tasks])


@strawberry.type(name="Board")
class BoardType:
    columns: list[BoardColumnType]
