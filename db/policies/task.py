"""Tasks: who may read a task (and so its assignees, teams and calendar due entry).

* a task linked to a PRIVATE event: that event's readers and the task's assignees;
* every other task: every signed-in user;
* anonymous callers: none.

Task templates and their items are office-wide (see ``office.py``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.enums import Role, TeamRole
from db.models import Task, TaskAssignee, TaskTeam, TeamMembership
from db.policies.audience import SIGNED_IN, Audience, Scope, listed
from db.policies.base import EntityPolicy
from db.policies.event import event_audiences, event_id_readable
from db.policies.teams import task_in_teams
from db.policies.viewer import Viewer


def assigned_to(user_id: int) -> ColumnElement[bool]:
    """SQL: the task in scope has ``user_id`` among its assignees.

    Correlates only Task: analytics joins task_assignees in the outer query, and
    auto-correlation would test that outer row instead of the task's own assignees.
    """
    return (
        select(TaskAssignee.task_id)
        .where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == user_id)
        .correlate(Task)
        .exists()
    )


def task_readable(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.user_id is None:
        return false()
    return or_(Task.event_id.is_(None), event_id_readable(viewer, Task.event_id), assigned_to(viewer.user_id))


def task_id_readable(viewer: Viewer, task_id: ColumnElement[int | None] | InstrumentedAttribute[int | None]) -> ColumnElement[bool]:
    return exists().where(Task.id == task_id, TASKS.readable(viewer))


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


# -- who may change a task ----------------------------------------------------------------------
TASK_EDITORS = "the task's creator, its assignees, members of its teams, MANAGER and ADMIN"


def task_editable(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: ``viewer`` may change the task (and move or delete it). VIEWER and anonymous never may.

    Only meaningful together with ``task_readable``: nobody edits what they may not read.
    """
    if viewer.user_id is None or viewer.role is Role.VIEWER:
        return false()
    if viewer.is_manager:
        return true()
    on_team = (
        select(TaskTeam.task_id)
        .join(TeamMembership, TeamMembership.team_id == TaskTeam.team_id)
        .where(TaskTeam.task_id == Task.id, TeamMembership.user_id == viewer.user_id)
        .correlate(Task)
        .exists()
    )
    return or_(Task.created_by_id == viewer.user_id, assigned_to(viewer.user_id), on_team)


def workload_readable(viewer: Viewer, user_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL: ``viewer`` may see the per-person workload of ``user_id``: the person, the LEADs of a
    team the person belongs to, MANAGER and ADMIN."""
    if viewer.user_id is None:
        return false()
    if viewer.is_manager:
        return true()
    led = aliased(TeamMembership)
    member = aliased(TeamMembership)
    leads_their_team = (
        select(led.team_id)
        .join(member, member.team_id == led.team_id)
        .where(led.user_id == viewer.user_id, led.role == TeamRole.LEAD, member.user_id == user_id)
        .exists()
    )
    return or_(user_id == viewer.user_id, leads_their_team)


class TaskPolicy(EntityPolicy[Task]):
    model = Task
    entity_type = "Task"
    editors: ClassVar[str] = TASK_EDITORS

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        return task_readable(viewer)

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        return await task_audiences(session, ids)

    def editable(self, viewer: Viewer) -> ColumnElement[bool]:
        return task_editable(viewer)

    def in_teams(self, team_ids: frozenset[int]) -> ColumnElement[bool]:
        return task_in_teams(team_ids)


TASKS = TaskPolicy()
