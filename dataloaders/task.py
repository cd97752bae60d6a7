"""Loaders for tasks and their relations; each answers in key order with one statement.

A relation that is one row by id goes through ``ctx.loaders.by_id(Model)`` (one cache per request).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from dataloaders.registry import (
    KEYS,
    Reader,
    Record,
    columns_of,
    group_by,
    in_keys,
    per_viewer,
    read_records,
)
from db.models import Task, TaskAssignee, TaskTeam, TaskTemplateItem, Team, User
from db.policies import Viewer, readable_by

KEY = "task_id_"  # the loader key's label beside the related row's own columns


# Plain records and statements built once per viewer (dataloaders.registry): a task list reads
# these for every task it shows.
@per_viewer
def _assignees(viewer: Viewer) -> Select[Any]:
    return (
        select(TaskAssignee.task_id.label(KEY), *columns_of(User))
        .join(User, User.id == TaskAssignee.user_id)
        .where(in_keys(TaskAssignee.task_id), readable_by(User, viewer))
        .order_by(User.name, User.id)
    )


@per_viewer
def _teams(viewer: Viewer) -> Select[Any]:
    return (
        select(TaskTeam.task_id.label(KEY), *columns_of(Team))
        .join(Team, Team.id == TaskTeam.team_id)
        .where(in_keys(TaskTeam.task_id), readable_by(Team, viewer))
        .order_by(Team.name, Team.id)
    )


async def assignees_by_task_id(reader: Reader, keys: Sequence[int]) -> list[list[Record]]:
    """Each task's readable assignees as records of the user's columns (``User``'s attribute names)."""
    rows = await read_records(reader.session, _assignees(reader.viewer), {KEYS: list(keys)})
    return group_by(rows, KEY, keys)


async def teams_by_task_id(reader: Reader, keys: Sequence[int]) -> list[list[Record]]:
    """Each task's readable teams as records of the team's columns (``Team``'s attribute names)."""
    rows = await read_records(reader.session, _teams(reader.viewer), {KEYS: list(keys)})
    return group_by(rows, KEY, keys)


async def items_by_template_id(reader: Reader, keys: Sequence[int]) -> list[list[TaskTemplateItem]]:
    rows = await reader.session.scalars(
        select(TaskTemplateItem)
        .where(TaskTemplateItem.template_id.in_(keys), reader.readable(TaskTemplateItem))
        .order_by(TaskTemplateItem.sequence, TaskTemplateItem.id)
    )
    return group_by(rows.all(), "template_id", keys)


def _tasks_by(column_name: str):  # type: ignore[no-untyped-def]
    column = getattr(Task, column_name)

    async def load(reader: Reader, keys: Sequence[int]) -> list[list[Task]]:
        rows = await reader.session.scalars(
            select(Task).where(column.in_(keys), reader.readable(Task)).order_by(Task.due_at.asc().nulls_last(), Task.id)
        )
        return group_by(rows.all(), column_name, keys)

    load.__name__ = f"tasks_by_{column_name}"
    return load


# For other domains' types (PPA -> tasks, Event -> tasks, ...), ordered by due time.
tasks_by_ppa_id = _tasks_by("ppa_id")
tasks_by_event_id = _tasks_by("event_id")
tasks_by_assessment_id = _tasks_by("assessment_id")
tasks_by_policy_id = _tasks_by("policy_id")
tasks_by_need_id = _tasks_by("need_id")
tasks_by_community_id = _tasks_by("community_id")
