"""Completing a recurring task spawns its next instance once (idempotent generation key)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskStatus
from db.models import Task, TaskAssignee
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, at, gid, on

UPDATE = """
mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { version status } errors { code message } } }
"""
MOVE = """
mutation($input: MoveTaskInput!) { moveTask(input: $input) { task { version } errors { code message } } }
"""


async def series(session: AsyncSession, root: Task) -> list[Task]:
    rows = await session.scalars(
        select(Task).where((Task.id == root.id) | (Task.recurrence_parent_id == root.id))
        .order_by(Task.due_at).execution_options(populate_existing=True)
    )
    return list(rows)


async def test_completing_spawns_the_next_instance_once_and_count_ends_the_series(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    root = await make_task("Weekly report", due_at=at(2031, 1, 6, 17), starts_on=on(2031, 1, 5),
                           rrule="FREQ=WEEKLY;COUNT=3", assignees=(staff.id,))

    done = await gql(UPDATE, {"input": {"id": gid("Task", root.id), "expectedVersion": 1, "status": "DONE"}}, user=staff)
    assert done["data"]["updateTask"]["errors"] == []
    # reopen and complete again: the same next instance, not a second one
    await gql(UPDATE, {"input": {"id": gid("Task", root.id), "expectedVersion": 2, "status": "TODO"}}, user=staff)
    await gql(MOVE, {"input": {"id": gid("Task", root.id), "status": "DONE"}}, user=staff)

    tasks = await series(session, root)
    assert [(t.title, t.due_at, t.starts_on, t.status, t.recurrence_parent_id) for t in tasks] == [
        ("Weekly report", at(2031, 1, 6, 17), on(2031, 1, 5), TaskStatus.DONE, None),
        ("Weekly report", at(2031, 1, 13, 17), on(2031, 1, 12), TaskStatus.TODO, root.id),
    ]
    second = tasks[1]
    assert second.generation_key == f"recur:{root.id}:2031-01-13" and second.rrule == "FREQ=WEEKLY;COUNT=3"
    assignees = await session.scalars(select(TaskAssignee.user_id).where(TaskAssignee.task_id == second.id))
    assert list(assignees) == [staff.id]

    # the third (last by COUNT) comes from completing the second; completing the third spawns nothing
    await gql(UPDATE, {"input": {"id": gid("Task", second.id), "expectedVersion": 1, "status": "DONE"}}, user=staff)
    third = (await series(session, root))[2]
    await gql(UPDATE, {"input": {"id": gid("Task", third.id), "expectedVersion": 1, "status": "DONE"}}, user=staff)
    assert [t.due_at for t in await series(session, root)] == [at(2031, 1, 6, 17), at(2031, 1, 13, 17), at(2031, 1, 20, 17)]
