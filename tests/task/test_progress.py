"""PPA progress follows its tasks in the same transaction: DONE / (all - CANCELLED)."""
from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, TaskStatus
from db.models import Ppa, Task
from db.queries.task import recompute_ppa_progress
from db.rules.progress import progress_percent
from tests.conftest import GraphQL, UserFactory
from tests.task.conftest import TaskFactory, gid, pk_of

UPDATE = """
mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { version } errors { code message } } }
"""
MOVE = """
mutation($input: MoveTaskInput!) { moveTask(input: $input) { task { status version } errors { code message } } }
"""
CREATE = """
mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } errors { code message } } }
"""
DELETE = """
mutation($input: DeleteTaskInput!) { deleteTask(input: $input) { deletedId errors { code message } } }
"""


async def progress_of(session: AsyncSession, ppa: Ppa) -> int:
    refreshed = await session.get(Ppa, ppa.id, populate_existing=True)
    assert refreshed is not None
    return refreshed.progress


async def set_status(gql: GraphQL, user, task: Task, status: str, version: int = 1) -> None:
    body = await gql(UPDATE, {"input": {"id": gid("Task", task.id), "expectedVersion": version, "status": status}}, user=user)
    assert body["data"]["updateTask"]["errors"] == [], body


async def test_three_of_five_done_is_sixty_and_reopen_cancel_delete_keep_it_right(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, make_ppa, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    ppa = await make_ppa()
    created = [await gql(CREATE, {"input": {"title": f"Step {n}", "linkId": gid("Ppa", ppa.id)}}, user=staff)
               for n in range(5)]
    ids = [pk_of(c["data"]["createTask"]["task"]["id"]) for c in created]
    tasks = [await session.get(Task, pk) for pk in ids]
    assert await progress_of(session, ppa) == 0

    for task in tasks[:3]:
        await set_status(gql, staff, task, "DONE")
    assert await progress_of(session, ppa) == 60

    await set_status(gql, staff, tasks[2], "IN_PROGRESS", version=2)  # reopen
    assert await progress_of(session, ppa) == 40

    await set_status(gql, staff, tasks[4], "CANCELLED")  # 2 done of 4 counted
    assert await progress_of(session, ppa) == 50

    moved = await gql(MOVE, {"input": {"id": gid("Task", tasks[3].id), "status": "DONE"}}, user=staff)
    assert moved["data"]["moveTask"]["errors"] == []
    assert await progress_of(session, ppa) == 75  # 3 of 4

    deleted = await gql(DELETE, {"input": {"id": gid("Task", tasks[2].id)}}, user=staff)  # the reopened one
    assert deleted["data"]["deleteTask"]["errors"] == []
    assert await progress_of(session, ppa) == 100  # 3 done of 3 counted


async def test_relinking_a_task_recomputes_both_ppas(
    gql: GraphQL, make_user: UserFactory, make_task: TaskFactory, make_ppa, session: AsyncSession
) -> None:
    staff = await make_user(Role.STAFF)
    first, second = await make_ppa("First"), await make_ppa("Second")
    await make_task("Open", ppa_id=first.id, created_by_id=staff.id)
    done = await make_task("Done", ppa_id=first.id, status=TaskStatus.DONE, created_by_id=staff.id)
    await recompute_ppa_progress(session, [first.id])
    assert await progress_of(session, first) == 50

    body = await gql(UPDATE, {"input": {"id": gid("Task", done.id), "expectedVersion": 1,
                                        "linkId": gid("Ppa", second.id)}}, user=staff)

    assert body["data"]["updateTask"]["errors"] == []
    assert (await progress_of(session, first), await progress_of(session, second)) == (0, 100)


async def test_sql_progress_agrees_with_the_rule(make_task: TaskFactory, make_ppa, session: AsyncSession) -> None:
    statuses = [TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.TODO, TaskStatus.IN_PROGRESS]
    cases = [combo for size in range(4) for combo in itertools.combinations_with_replacement(statuses, size)]
    ppas = []
    for combo in cases:
        ppa = await make_ppa(f"P{len(ppas)}")
        ppas.append(ppa)
        for status in combo:
            await make_task("t", ppa_id=ppa.id, status=status)

    result = await recompute_ppa_progress(session, [p.id for p in ppas])

    for ppa, combo in zip(ppas, cases, strict=True):
        done = combo.count(TaskStatus.DONE)
        counted = len(combo) - combo.count(TaskStatus.CANCELLED)
        assert result[ppa.id] == progress_percent(done, counted), combo
