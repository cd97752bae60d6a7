"""Query fields: tasks, board, taskAnalytics."""
from __future__ import annotations

from datetime import datetime

import strawberry

from db.models import Task
from db.queries.board import board_columns
from db.queries.task import TaskOrder, tasks_query
from db.queries.task_analytics import visible_assignees_only
from db.queries.task_columns import TASK_COLUMNS
from resolvers import validation as v
from schema.core.answer_cache import cached_answer
from schema.core.connection import Connection, paginate
from schema.core.errors import DomainError, ErrorCode
from schema.task.analytics import TaskAnalyticsType
from schema.task.board import BoardColumnType, BoardType, card_columns
from schema.task.filters import criteria_from_filter
from schema.task.inputs import TaskFilter, TaskOrderEnum
from schema.task.prefetch import prefetch_task_relations, task_selection
from schema.task.types import TaskType

MAX_CARDS_PER_COLUMN = 200


@strawberry.type
class TaskQuery:
    @strawberry.field
    async def tasks(
        self, info: strawberry.Info, filter: TaskFilter | None = None,
        order_by: TaskOrderEnum = TaskOrderEnum.DUE_AT_ASC,  # type: ignore[valid-type]
        first: int | None = None, after: str | None = None,
    ) -> Connection[TaskType]:
        stmt = tasks_query(criteria_from_filter(filter, info.context.viewer), TaskOrder(order_by))
        # Plain records (dataloaders.registry) of the columns TaskType reads: no ORM instance per task.
        page = await paginate(info.context.session, stmt.with_only_columns(*TASK_COLUMNS), first=first,
                              after=after, to_node=TaskType.from_model, plain_rows=True)
        selected = task_selection(info, ("nodes",), ("edges", "node"))
        await prefetch_task_relations(info, [edge.node._row for edge in page.edges], selected)
        return page

    @strawberry.field(description="Kanban columns by status; cards ordered by position, then id.")
    async def board(
        self, info: strawberry.Info, filter: TaskFilter | None = None, cards_per_column: int = 50
    ) -> BoardType:
        if not 0 <= cards_per_column <= MAX_CARDS_PER_COLUMN:
            raise DomainError.one(
                ErrorCode.VALIDATION, f"cardsPerColumn must be between 0 and {MAX_CARDS_PER_COLUMN}.", "cardsPerColumn"
            )
        criteria = criteria_from_filter(filter, info.context.viewer)

        async def board() -> BoardType:
            selected = task_selection(info, ("columns", "tasks"))
            columns = await board_columns(info.context.session, criteria, per_column=cards_per_column,
                                          columns=card_columns(selected))
            await prefetch_task_relations(info, [task for column in columns for task in column.tasks], selected)
            return BoardType(columns=[BoardColumnType.from_rows(c) for c in columns])

        answer: BoardType = await cached_answer(  # a kept answer is completed already
            info, board, keep=filter is None or filter.overdue is None)
        return answer

    @strawberry.field(description="Counts and hours of the filtered tasks; start/end bound their due time.")
    async def task_analytics(
        self, info: strawberry.Info, filter: TaskFilter | None = None,
        start: datetime | None = None, end: datetime | None = None,
    ) -> TaskAnalyticsType:
        criteria = criteria_from_filter(filter, info.context.viewer)
        visible_assignees_only(criteria)
        if start is not None:
            criteria.extra.append(Task.due_at >= v.aware(start, "start"))
        if end is not None:
            criteria.extra.append(Task.due_at < v.aware(end, "end"))
        v.ordered(start, end, "end")
        return TaskAnalyticsType(_criteria=criteria)
