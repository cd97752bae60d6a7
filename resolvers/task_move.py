"""moveTask: a card to a column and a place in it, safe under concurrent moves.

Moves into one column are serialized by a transaction-scoped advisory lock on
that column (db/queries/board.py ``lock_column``), taken before the neighbours
are read, so two cards dropped into the same gap get distinct positions and a
rebalance never interleaves with another move. The moved row is then locked
(FOR UPDATE) and updated through the same version check as updateTask.
Lock order is always column, then row; updateTask takes only the row lock, so
the two cannot deadlock.
"""
from __future__ import annotations

from db.enums import TaskStatus
from db.models import Task
from db.queries.board import lock_column, position_for_move
from db.queries.task import assignee_ids_of, team_ids_of, update_task_versioned
from db.queries.task_changes import TaskSnapshot
from resolvers import task_fields as f
from resolvers.mutation import run_mutation, validation
from resolvers.targets import editable_target, readable_target
from resolvers.task import TASKS, after_write, completion_values, stale
from schema.task.inputs import MoveTaskInput
from schema.task.payloads import MoveTaskPayload
from schema.task.types import TaskType
from server.context import Context


async def _neighbour(ctx: Context, value: str | None, field: str, *, status: TaskStatus, moving: int) -> Task | None:
    if value is None:
        return None
    pk = f.task_id(value, field)
    if pk == moving:
        raise validation("A task cannot be placed next to itself.", field)
    task = await readable_target(ctx, Task, pk, "Task", field, fresh=True)
    if task.status != status:
        raise validation("That task is not in the target column.", field)
    return task


async def move_task(ctx: Context, input: MoveTaskInput) -> MoveTaskPayload:
    async def work() -> MoveTaskPayload:
        user = ctx.require_writer()
        session = ctx.session
        task_id = f.task_id(input.id)
        status = TaskStatus(input.status)
        if input.position is not None and (input.after_id or input.before_id):
            raise validation("Give either a position or neighbours, not both.", "input.position")
        await lock_column(session, status)
        task: Task = await editable_target(ctx, TASKS, task_id, "Task", "id", for_update=True)
        if input.expected_version is not None and task.version != input.expected_version:
            raise stale()
        after = await _neighbour(ctx, input.after_id, "input.afterId", status=status, moving=task_id)
        before = await _neighbour(ctx, input.before_id, "input.beforeId", status=status, moving=task_id)
        if after is not None and before is not None and (after.position, after.id) >= (before.position, before.id):
            raise validation("afterId must come before beforeId in the column.", "input.beforeId")
        if input.position is not None:
            position = float(input.position)
            if not -1e12 < position < 1e12:
                raise validation("Position out of range.", "input.position")
        else:
            position = await position_for_move(session, task_id=task_id, status=status, after=after, before=before)
        assignees, teams = await assignee_ids_of(session, task_id), await team_ids_of(session, task_id)
        old = TaskSnapshot.of(task, assignees, teams)
        values: dict[str, object] = {"position": position}
        if status != task.status:
            values |= completion_values(status)
        updated = await update_task_versioned(session, task_id, task.version, values)
        if updated is None:
            raise stale()
        await after_write(ctx, updated, old, actor_id=user.id, assignees=assignees, teams=teams)
        await ctx.commit()
        return MoveTaskPayload(task=TaskType.from_model(updated), errors=[])

    return await run_mutation(ctx, work, lambda errors: MoveTaskPayload(task=None, errors=errors))
