"""After commit: jobs a task mutation starts (its change rows are written by ``db.queries.task_changes``)."""
from __future__ import annotations

from typing import Any

from jobs.queue import enqueue


async def notify_if_assigned(ctx: Any, task_id: int, before: list[int], after: list[int]) -> None:
    """After commit: tell new assignees (the job reads who is new from the task itself)."""
    if set(after) - set(before):
        await enqueue(ctx, "notify_task_assigned", task_id)
