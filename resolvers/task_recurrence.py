"""Spawning the next instance of a recurring task when one is completed (rule: db/rules/task_recurrence.py)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, TaskStatus
from db.models import Task, TaskAssignee, TaskTeam
from db.queries.board import last_position
from db.queries.task import add_links_bulk, insert_tasks_once, recompute_ppa_progress
from db.queries.task_changes import TaskSnapshot, record_task_change
from db.rules import kanban
from db.rules.task_recurrence import InvalidRule, next_due

COPIED = (
    "title", "description", "priority", "domain", "role", "phase", "estimated_hours", "rrule",
    "event_id", "ppa_id", "assessment_id", "policy_id", "need_id", "community_id",
)


async def spawn_next_instance(
    session: AsyncSession, task: Task, *, assignee_ids: list[int], team_ids: list[int], actor_id: int | None
) -> Task | None:
    """The next instance of ``task``'s series, or None (not recurring, series over, or already spawned)."""
    if not task.rrule or task.due_at is None:
        return None
    root_id = task.recurrence_parent_id or task.id
    root = task if root_id == task.id else await session.get(Task, root_id)
    series_start = root.due_at if root is not None and root.due_at is not None else task.due_at
    try:
        due = next_due(task.rrule, series_start, task.due_at)
    except InvalidRule:
        return None
    if due is None:
        return None
    starts_on = None
    if task.starts_on is not None:
        starts_on = task.starts_on + (due.date() - task.due_at.date())
    row = {name: getattr(task, name) for name in COPIED}
    row |= {
        "status": TaskStatus.TODO, "due_at": due, "starts_on": starts_on,
        "position": kanban.position_after_last(await last_position(session, TaskStatus.TODO)),
        "recurrence_parent_id": root_id, "created_by_id": actor_id,
        "generation_key": f"recur:{root_id}:{due.date().isoformat()}",
    }
    created = await insert_tasks_once(session, [row])
    if not created:
        return None
    instance = created[0]
    await add_links_bulk(session, TaskAssignee, "user_id", [(instance.id, u) for u in assignee_ids])
    await add_links_bulk(session, TaskTeam, "team_id", [(instance.id, t) for t in team_ids])
    await recompute_ppa_progress(session, [instance.ppa_id])
    snapshot = TaskSnapshot.of(instance, assignee_ids, team_ids)
    await record_task_change(session, instance, ChangeOp.CREATED, actor_id=actor_id, now=snapshot)
    return instance
