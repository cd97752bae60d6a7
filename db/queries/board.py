"""Kanban board: columns by status, and moving a card under a per-column lock."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    func,
    literal,
    not_,
    null,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TaskStatus
from db.models import Task
from db.policies import readable_by
from db.queries.task import TaskCriteria, task_conditions
from db.queries.task_columns import TASK_COLUMNS, TaskRecord, task_records
from db.rules import kanban

# First key of the two-key advisory lock that serializes moves within one column.
COLUMN_LOCK_NAMESPACE = 7_340_001
STATUS_ORDER = list(TaskStatus)


@dataclass(slots=True)
class BoardColumnRows:
    status: TaskStatus
    total: int
    tasks: list[TaskRecord]


async def board_columns(
    session: AsyncSession, criteria: TaskCriteria, *, per_column: int, columns: frozenset[str] | None = None
) -> list[BoardColumnRows]:
    """Every status column (in workflow order) with its first ``per_column`` cards by (position, id).

    Two statements whatever the number of tasks: the cards (plain records of ``TASK_COLUMNS``; those
    not in ``columns`` come back NULL, when given)
    and the counts (GROUP BY status).
    The cards are one LATERAL subquery per status over ``ix_tasks_board`` (status, position)
    that stops after ``per_column`` readable rows: ~1 ms for a board of 1,000 cards over
    60,000 tasks, where ranking every matching task (ROW_NUMBER per column) took ~200 ms.
    """
    conditions = task_conditions(criteria)
    statuses = func.unnest(literal([s.value for s in STATUS_ORDER], ARRAY(String))).table_valued("status").render_derived("statuses")
    selected = TASK_COLUMNS if columns is None else tuple(
        column if column.key in columns else null().label(column.key) for column in TASK_COLUMNS
    )
    cards = (
        select(*selected).where(*conditions, Task.status == statuses.c.status)
        .order_by(Task.position, Task.id).limit(per_column).lateral("cards")
    )
    tasks = task_records(await session.execute(select(*cards.c).select_from(statuses).join(cards, true())))
    counts: dict[TaskStatus, int] = defaultdict(int)
    for status, count in await session.execute(counts_statement(criteria, conditions)):
        counts[status] += count
    by_status: dict[TaskStatus, list[TaskRecord]] = {status: [] for status in STATUS_ORDER}
    for task in tasks:
        by_status[task.status].append(task)
    return [BoardColumnRows(status=s, total=counts[s], tasks=by_status[s]) for s in STATUS_ORDER]


def counts_statement(
    criteria: TaskCriteria, conditions: list[ColumnElement[bool]]
) -> Select[TaskStatus, int] | CompoundSelect[TaskStatus, int]:
    """(status, count) rows whose sums per status are the readable tasks matching the filter.

    Counted as every matching task less the unreadable ones: PostgreSQL counts the first from
    ``ix_tasks_status`` alone, and finds the second through the policy's negation (for tasks,
    ``event_id IS NOT NULL AND ...``: the few event-linked tasks, by ``ix_tasks_event_id``),
    where evaluating the policy on every row took twice as long (60,000 tasks: ~35 + 1 ms
    against ~70 ms). Exact because a policy's condition is never NULL (IS NULL, EXISTS and
    constants). A viewer limited to teams reads few tasks: for them the direct count is cheaper.
    """
    readable = readable_by(Task, criteria.viewer)
    if criteria.viewer.team_ids is not None:
        return select(Task.status, func.count()).where(*conditions).group_by(Task.status)
    filters = [condition for condition in conditions if condition is not readable]
    every = select(Task.status, func.count()).where(*filters).group_by(Task.status)
    hidden = select(Task.status, -func.count()).where(*filters, not_(readable)).group_by(Task.status)
    return union_all(every, hidden)


async def lock_column(session: AsyncSession, status: TaskStatus) -> None:
    """Serialize position changes in one column until the transaction ends."""
    await session.execute(
        select(func.pg_advisory_xact_lock(COLUMN_LOCK_NAMESPACE, STATUS_ORDER.index(status)))
    )


async def last_position(session: AsyncSession, status: TaskStatus) -> float | None:
    value = await session.scalar(select(func.max(Task.position)).where(Task.status == status))
    return None if value is None else float(value)


async def position_for_move(
    session: AsyncSession,
    *,
    task_id: int,
    status: TaskStatus,
    after: Task | None,
    before: Task | None,
) -> float:
    """Where ``task_id`` lands in ``status`` right after ``after`` / right before ``before``.

    Call with the column locked (``lock_column``). When the gap is too small the
    column is rebalanced (one UPDATE) and the neighbours are read again.
    """
    for _attempt in range(2):
        previous, following = await _neighbours(session, task_id=task_id, status=status, after=after, before=before)
        position = kanban.position_between(previous, following)
        if position is not None:
            return position
        await rebalance_column(session, status, exclude_id=task_id)
        after = await session.get(Task, after.id, populate_existing=True) if after is not None else None
        before = await session.get(Task, before.id, populate_existing=True) if before is not None else None
    raise RuntimeError("kanban rebalance did not open a gap")  # unreachable: rebalance spaces by GAP


async def _neighbours(
    session: AsyncSession, *, task_id: int, status: TaskStatus, after: Task | None, before: Task | None
) -> tuple[float | None, float | None]:
    others = (Task.status == status, Task.id != task_id)
    key = tuple_(Task.position, Task.id)
    if after is not None and before is not None:
        return after.position, before.position
    if after is not None:
        following = await session.scalar(
            select(Task.position).where(*others, key > tuple_(after.position, after.id))
            .order_by(Task.position, Task.id).limit(1)
        )
        return after.position, following
    if before is not None:
        previous = await session.scalar(
            select(Task.position).where(*others, key < tuple_(before.position, before.id))
            .order_by(Task.position.desc(), Task.id.desc()).limit(1)
        )
        return previous, before.position
    return await session.scalar(select(func.max(Task.position)).where(*others)), None


async def rebalance_column(session: AsyncSession, status: TaskStatus, *, exclude_id: int | None = None) -> None:
    """Respace a column to GAP, 2*GAP, ... keeping its (position, id) order; one statement.

    Positions are not user-visible data, so this does not bump task versions.
    """
    ordered = (
        select(Task.id, func.row_number().over(order_by=(Task.position, Task.id)).label("rank"))
        .where(Task.status == status, Task.id != (exclude_id if exclude_id is not None else -1))
        .subquery()
    )
    await session.execute(
        update(Task)
        .where(Task.id == ordered.c.id)
        .values(position=ordered.c.rank * kanban.GAP)
        .execution_options(synchronize_session=False)
    )
