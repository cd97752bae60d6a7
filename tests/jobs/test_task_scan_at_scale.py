"""The due-soon/overdue scan at 50,000 overdue tasks: bounded statements, one notice per task and recipient."""
from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from db import statements
from db.models import Notification, Task
from jobs.scans import BATCH_SIZE, scan_due_and_overdue_tasks
from tests.jobs.conftest import Clock, Scratch

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
OVERDUE = 50_000
DUE_SOON = 1_500


@pytest.fixture
def largest_parameter_list(engine: AsyncEngine) -> Iterator[list[int]]:
    """The most bound parameters any statement sent while the test ran."""
    largest = [0]

    def record(_conn: Any, _cursor: Any, _statement: str, parameters: Any, *_rest: Any) -> None:
        largest[0] = max(largest[0], len(parameters or ()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield largest
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def seed(scratch: Scratch, marker: str, assignee: int, creator: int) -> None:
    """Set-based fixture setup: every even task is assigned, the odd ones notify their creator."""
    async with scratch.maker() as session:
        await session.execute(text("""
            INSERT INTO tasks (title, due_at, created_by_id)
            SELECT CAST(:marker AS text) || ' overdue ' || g, CAST(:now AS timestamptz) - make_interval(mins => g), CAST(:creator AS bigint)
            FROM generate_series(1, :overdue) g
            UNION ALL
            SELECT CAST(:marker AS text) || ' soon ' || g, CAST(:now AS timestamptz) + make_interval(secs => g), CAST(:creator AS bigint)
            FROM generate_series(1, :soon) g
        """), {"marker": marker, "now": NOW, "creator": creator, "overdue": OVERDUE, "soon": DUE_SOON})
        await session.execute(text("""
            INSERT INTO task_assignees (task_id, user_id)
            SELECT id, :assignee FROM tasks WHERE title LIKE :marker || ' %' AND id % 2 = 0
        """), {"marker": marker, "assignee": assignee})
        await session.commit()


async def test_scan_of_50000_overdue_tasks_runs_in_bounded_batches(
    scratch: Scratch, job_ctx: dict[str, Any], clock: Clock, largest_parameter_list: list[int]
) -> None:
    clock.now = NOW
    assignee, creator = await scratch.user(), await scratch.user()
    marker = f"scale-{uuid.uuid4().hex[:8]}"
    await seed(scratch, marker, assignee.id, creator.id)
    try:
        async with scratch.maker() as session:  # every open due task in the database, ours included
            due = select(func.count()).select_from(Task).where(Task.status.not_in(["DONE", "CANCELLED"]))
            overdue = int(await session.scalar(due.where(Task.due_at <= NOW, Task.overdue_notified_at.is_(None))) or 0)
            soon = int(await session.scalar(due.where(Task.due_at > NOW, Task.due_at <= NOW + timedelta(days=1))) or 0)
        assert overdue >= OVERDUE

        # when the scan runs
        with statements.counting() as counted:
            inserted = await scan_due_and_overdue_tasks(job_ctx)

        # then every task got its notice, one statement per batch of tasks, each with a handful of parameters
        assert inserted >= OVERDUE + DUE_SOON
        assert counted.count == (math.ceil(soon / BATCH_SIZE) + 1) + (math.ceil(overdue / BATCH_SIZE) + 1)
        assert largest_parameter_list[0] <= 10
        async with scratch.maker() as session:
            kinds = dict((await session.execute(
                select(Notification.kind, func.count()).where(Notification.user_id.in_([assignee.id, creator.id]))
                .group_by(Notification.kind))).all())
            split = dict((await session.execute(
                select(Notification.user_id, func.count()).where(Notification.user_id.in_([assignee.id, creator.id]))
                .group_by(Notification.user_id))).all())
            unmarked = await session.scalar(select(func.count()).select_from(Task).where(
                Task.title.like(f"{marker} overdue %"), Task.overdue_notified_at.is_(None)))
        assert kinds == {"task_overdue": OVERDUE, "task_due_soon": DUE_SOON}
        assert split[assignee.id] + split[creator.id] == OVERDUE + DUE_SOON
        assert abs(split[assignee.id] - split[creator.id]) <= 1
        assert unmarked == 0

        # and a second run adds nothing
        assert await scan_due_and_overdue_tasks(job_ctx) == 0
    finally:
        async with scratch.maker() as session:
            await session.execute(text("DELETE FROM tasks WHERE title LIKE :marker || ' %'"), {"marker": marker})
            await session.commit()


async def test_notice_keys_and_text_match_the_python_spelling_of_the_due_time(
    scratch: Scratch, job_ctx: dict[str, Any], clock: Clock
) -> None:
    clock.now = NOW
    user = await scratch.user()
    precise = Task(title="Precise", due_at=NOW - timedelta(minutes=5, microseconds=250), created_by_id=user.id)
    whole = Task(title="Whole", due_at=NOW + timedelta(hours=2), created_by_id=user.id)
    await scratch.add(precise, whole)
    try:
        assert await scan_due_and_overdue_tasks(job_ctx) == 2
        async with scratch.maker() as session:
            rows = list(await session.scalars(
                select(Notification).where(Notification.user_id == user.id).order_by(Notification.kind)))
        assert [(n.kind, n.title, n.body, n.dedupe_key, n.payload) for n in rows] == [
            ("task_due_soon", "Due soon: Whole", f"Whole is due {whole.due_at.isoformat()}.",
             f"task_due_soon:{whole.id}:{whole.due_at.isoformat()}:{user.id}",
             {"task_id": whole.id, "due_at": whole.due_at.isoformat()}),
            ("task_overdue", "Overdue: Precise", f"Precise is due {precise.due_at.isoformat()}.",
             f"task_overdue:{precise.id}:{precise.due_at.isoformat()}:{user.id}",
             {"task_id": precise.id, "due_at": precise.due_at.isoformat()}),
        ]
    finally:
        async with scratch.maker() as session:
            await session.execute(text("DELETE FROM tasks WHERE id IN (:a, :b)"), {"a": precise.id, "b": whole.id})
            await session.commit()
