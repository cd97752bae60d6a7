"""Tasks: who may read a task (and so its assignees, teams and calendar due entry).

* a task linked to a PRIVATE event: that event's readers and the task's assignees;
* every other task: every signed-in user;
* anonymous callers: none.

Task templates and their items are office-wide (see ``office.py``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Task, TaskAssignee
from db.policies.audience import SIGNED_IN, Audience, Scope, listed
from db.policies.base import EntityPolicy
from db.policies.event import event_audiences, event_id_readable
from db.policies.viewer import Viewer


def task_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.user_id is None:
        return false()
    assigned = exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == viewer.user_id)
    return or_(Task.event_id.is_(None), event_id_readable(viewer, Task.event_id), assigned)


def task_id_readable(viewer: Viewer, task_id: ColumnElement[int | None] | InstrumentedAttribute[int | None]) -> ColumnElement[bool]:
    return exists().where(Task.id == task_id, task_readable(viewer))


async def task_audiences(session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
    if not ids:
        return {}
    rows = (await session.execute(select(Task.id, Task.event_id).where(Task.id.in_(list(ids))))).all()
    of_event = await event_audiences(session, [e for _, e in rows if e is not None])
    narrowed = [pk for pk, e in rows if e is not None and of_event[e].scope is Scope.LISTED]
    assignees: dict[int, set[int]] = defaultdict(set)
    if narrowed:
        for task_id, user_id in await session.execute(
            select(TaskAssignee.task_id, TaskAssignee.user_id).where(TaskAssignee.task_id.in_(narrowed))
        ):
            assignees[task_id].add(user_id)
    result: dict[int, Audience] = {}
    for pk, event_id in rows:
        if event_id is None or of_event[event_id].scope is not Scope.LISTED:
            result[pk] = SIGNED_IN
        else:
            result[pk] = of_event[event_id] | listed(assignees[pk])
    return result


class TaskPolicy(EntityPolicy[Task]):
    model = Task
    entity_type = "Task"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return task_readable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await task_audiences(session, ids)
