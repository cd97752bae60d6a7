"""Races with real commits: concurrent updates lose nothing, concurrent moves keep a consistent order."""
from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import TaskPriority, TaskStatus
from db.models import Task
from db.queries.task import update_task_versioned
from resolvers.task import update_task
from resolvers.task_move import move_task
from schema.task.inputs import MoveTaskInput, UpdateTaskInput
from server.settings import Settings
from tests.task.committed import cleanup, committed_user, context_for
from tests.task.conftest import gid


async def _tasks(maker: async_sessionmaker[AsyncSession], user_id: int, specs: list[tuple[str, TaskStatus, float]]) -> list[Task]:
    async with maker() as session:
        tasks = [Task(title=t, status=s, position=p, created_by_id=user_id) for t, s, p in specs]
        session.add_all(tasks)
        await session.commit()
        return tasks


async def test_versioned_update_blocks_then_misses_instead_of_overwriting(
    committed_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user = await committed_user(committed_sessionmaker)
    [task] = await _tasks(committed_sessionmaker, user.id, [("Original", TaskStatus.TODO, 1.0)])
    try:
        async with committed_sessionmaker() as first, committed_sessionmaker() as second:
            # given: the first writer holds the row (updated, not yet committed)
            assert await update_task_versioned(first, task.id, 1, {"title": "First"}) is not None
            # when: the second writer, which read version 1 too, updates concurrently
            racing = asyncio.create_task(update_task_versioned(second, task.id, 1, {"priority": TaskPriority.URGENT}))
            await asyncio.sleep(0.2)
            assert not racing.done()  # it waits for the row lock
            await first.commit()
            # then: it re-checks the version after the first commit and updates nothing
            assert await racing is None
            await second.rollback()
        async with committed_sessionmaker() as check:
            row = await check.get(Task, task.id)
            assert row is not None and (row.title, row.priority, row.version) == ("First", TaskPriority.MEDIUM, 2)
    finally:
        await cleanup(committed_sessionmaker, users=[user], task_ids=[task.id])


async def test_concurrent_update_mutations_one_wins_the_other_conflicts_and_retry_keeps_both(
    committed_sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    user = await committed_user(committed_sessionmaker)
    [task] = await _tasks(committed_sessionmaker, user.id, [("Report", TaskStatus.TODO, 1.0)])
    contexts = [context_for(committed_sessionmaker, settings, user) for _ in range(2)]
    try:
        edits = [UpdateTaskInput(id=gid("Task", task.id), expected_version=1, title="Report v2"),
                 UpdateTaskInput(id=gid("Task", task.id), expected_version=1, actual_hours=4.0)]
        results = await asyncio.gather(*(update_task(ctx, edit) for ctx, edit in zip(contexts, edits, strict=True)))
        codes = sorted([e.code.value for r in results for e in r.errors])
        assert codes == ["CONFLICT"]
        loser = next(i for i, r in enumerate(results) if r.errors)
        retry_ctx = context_for(committed_sessionmaker, settings, user)
        edit = edits[loser]
        edit.expected_version = 2
        retried = await update_task(retry_ctx, edit)
        assert retried.errors == [] and retried.task is not None and retried.task.version == 3
        async with committed_sessionmaker() as check:
            row = await check.get(Task, task.id)
            assert row is not None and (row.title, float(row.actual_hours or 0), row.version) == ("Report v2", 4.0, 3)
    finally:
        for ctx in [*contexts]:
            await ctx.close()
        await cleanup(committed_sessionmaker, users=[user], task_ids=[task.id])


async def test_concurrent_moves_into_one_gap_get_distinct_positions_between_the_neighbours(
    committed_sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
) -> None:
    user = await committed_user(committed_sessionmaker)
    movers_count = 20  # 20 halvings of a 1024 gap cross MIN_GAP: a rebalance happens under concurrency
    specs = [("anchor", TaskStatus.REVIEW, 1024.0), ("tail", TaskStatus.REVIEW, 2048.0)]
    specs += [(f"m{n:02d}", TaskStatus.TODO, 5000.0 + n) for n in range(movers_count)]
    tasks = await _tasks(committed_sessionmaker, user.id, specs)
    anchor, movers = tasks[0], tasks[2:]
    contexts = [context_for(committed_sessionmaker, settings, user) for _ in movers]
    try:
        results = await asyncio.gather(*(
            move_task(ctx, MoveTaskInput(id=gid("Task", t.id), status=TaskStatus.REVIEW, after_id=gid("Task", anchor.id)))
            for ctx, t in zip(contexts, movers, strict=True)
        ))
        assert [r.errors for r in results] == [[]] * movers_count
        async with committed_sessionmaker() as check:
            rows = (await check.execute(
                select(Task.title, Task.position).where(Task.id.in_([t.id for t in tasks]))
                .order_by(Task.position, Task.id)
            )).all()
        titles, positions = [r[0] for r in rows], [r[1] for r in rows]
        assert titles[0] == "anchor" and titles[-1] == "tail"
        assert sorted(titles[1:-1]) == sorted(t.title for t in movers)
        assert len(set(positions)) == len(positions)  # no two cards share a place
    finally:
        for ctx in contexts:
            await ctx.close()
        await cleanup(committed_sessionmaker, users=[user], task_ids=[t.id for t in tasks])
