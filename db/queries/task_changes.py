"""Change-log and audit rows for task writes, in the writer's transaction (resolvers and jobs alike)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule, ChangeOp, TaskStatus
from db.models import Task
from db.policies import Audience
from db.queries.logs import record_audit, record_change

ENTITY = "Task"


@dataclass(slots=True)
class TaskSnapshot:
    """What a task looked like before a change (for old_start/old_end and the PPA to recompute)."""

    due_at: datetime | None
    status: TaskStatus
    ppa_id: int | None
    event_id: int | None
    assignee_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, task: Task, assignee_ids: list[int], team_ids: list[int]) -> TaskSnapshot:
        return cls(task.due_at, task.status, task.ppa_id, task.event_id, list(assignee_ids), list(team_ids))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def change_payload(snapshot: TaskSnapshot, *, old: TaskSnapshot | None = None) -> dict[str, Any]:
    """The convention's payload; a task occupies the instant it is due (start = end = due_at)."""
    payload: dict[str, Any] = {
        "module": CalendarModule.TASKS.value,
        "start": _iso(snapshot.due_at),
        "end": _iso(snapshot.due_at),
        "status": snapshot.status.value,
        "ppa_id": snapshot.ppa_id,
        "event_id": snapshot.event_id,  # the calendar shows event-linked tasks through the event
        "assignee_ids": snapshot.assignee_ids,
        "team_ids": snapshot.team_ids,
    }
    if old is not None:
        payload["old_start"] = _iso(old.due_at)
        payload["old_end"] = _iso(old.due_at)
    return payload


def _audit_view(snapshot: TaskSnapshot, task: Task | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "status": snapshot.status.value, "due_at": _iso(snapshot.due_at), "ppa_id": snapshot.ppa_id,
        "assignee_ids": snapshot.assignee_ids, "team_ids": snapshot.team_ids,
    }
    if task is not None:
        view |= {"title": task.title, "version": task.version, "priority": task.priority.value}
    return view


async def record_task_change(
    session: AsyncSession,
    task: Task,
    op: ChangeOp,
    *,
    actor_id: int | None,
    now: TaskSnapshot | None,
    old: TaskSnapshot | None = None,
    former: Audience | None = None,
) -> None:
    """One change row and one audit row; ``now`` is None for a deletion (then ``old`` is the payload)."""
    current = now or old
    assert current is not None
    payload = change_payload(current, old=old)
    await record_change(session, ENTITY, task.id, op, payload, actor_id=actor_id, former=former)
    record_audit(
        session, actor_id=actor_id, action=f"task.{op.value.lower()}", entity_type=ENTITY, entity_id=task.id,
        before=_audit_view(old, None) if old is not None else None,
        after=_audit_view(now, task) if now is not None else None,
    )

