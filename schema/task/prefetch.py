"""Before a list of tasks resolves, load the relations its items select (``schema.core.relations``).

One batch per relation, through the request's loaders (so through the same access
policies), and only for relations the query selects: the statements are the ones the
items' own fields would have caused, issued before instead of during completion.
Users for ``createdBy`` and for ``ppa { owner }`` share one batch.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.types.nodes import Selection

from dataloaders.task import assignees_by_task_id, teams_by_task_id
from db.models import Community, Event, Ppa, User
from db.queries.task_columns import TaskColumns
from schema.core.relations import load_all, selected_names


async def prefetch_task_relations(info: strawberry.Info, rows: Sequence[TaskColumns],
                                  selected: dict[str, list[Selection]]) -> None:
    if not rows or not selected:
        return
    loaders = info.context.loaders
    ids = [row.id for row in rows]
    if "assignees" in selected:
        await load_all(loaders.of(assignees_by_task_id), ids)
    if "teams" in selected:
        await load_all(loaders.of(teams_by_task_id), ids)
    user_ids: list[Any] = [row.created_by_id for row in rows] if "createdBy" in selected else []
    if "ppa" in selected:
        ppas = await load_all(loaders.by_id(Ppa), (row.ppa_id for row in rows))
        if "owner" in selected_names(selected["ppa"]):
            user_ids += [ppa.owner_id for ppa in ppas if ppa is not None]
    if "event" in selected:
        await load_all(loaders.by_id(Event), (row.event_id for row in rows))
    if "community" in selected:
        await load_all(loaders.by_id(Community), (row.community_id for row in rows))
    await load_all(loaders.by_id(User), user_ids)


def task_selection(info: strawberry.Info, *paths: tuple[str, ...]) -> dict[str, list[Selection]]:
    """The fields selected on the tasks found at any of ``paths`` below the current field."""
    merged: dict[str, list[Selection]] = {}
    for field in info.selected_fields:
        for path in paths:
            for name, subs in selected_names(field.selections, *path).items():
                merged.setdefault(name, []).extend(subs)
    return merged
