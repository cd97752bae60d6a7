"""The kanban board: one column per status, cards ordered by (position, id)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


# The task columns each Task field reads (relations: the key their links and prefetch read).
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (), "id": (), "status": (), "position": (), "assignees": (), "teams": (), "attachments": (),
    "title": ("title",), "description": ("description",), "priority": ("priority",), "domain": ("domain",),
    "startsOn": ("starts_on",), "dueAt": ("due_at",), "completedAt": ("completed_at",), "role": ("role",),
    "phase": ("phase",), "estimatedHours": ("estimated_hours",), "actualHours": ("actual_hours",),
    "version": ("version",), "rrule": ("rrule",), "createdAt": ("created_at",), "updatedAt": ("updated_at",),
    "isOverdue": ("due_at",), "createdBy": ("created_by_id",), "recurrenceParent": ("recurrence_parent_id",),
    "community": ("community_id",), "ppa": ("ppa_id",), "event": ("event_id",), "assessment": ("assessment_id",),
    "policy": ("policy_id",), "need": ("need_id",),
}
ALWAYS = frozenset({"id", "status", "position"})  # the key, the column it goes in, its order


def card_columns(selected: Mapping[str, Any]) -> frozenset[str] | None:
    """The task columns a board's cards must carry for the fields ``selected`` on them; None for all
    of them (a field this table does not know). The others come back NULL: decoding 26 columns of
    1,000 cards was a third of the board's statement time for the 6 a typical board shows."""
    needed = set(ALWAYS)
    for name in selected:
        columns = FIELD_COLUMNS.get(name)
        if columns is None:
            return None
        needed.update(columns)
    return frozenset(needed)
