"""A task's relations as ``Link``s: one definition serves its resolver and the executor's fast path."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from dataloaders.registry import Record
from dataloaders.task import assignees_by_task_id, teams_by_task_id
from db.models import Community, Event, Ppa, User
from schema.community.types import CommunityType
from schema.core.node import node_link
from schema.core.relations import Link
from schema.user.types import TeamType, UserType

if TYPE_CHECKING:
    from schema.event.types import EventType
    from schema.ppa.types import PpaType


@cache
def _ppa_type() -> type[PpaType]:
    from schema.ppa.types import PpaType  # imports TaskType itself

    return PpaType


@cache
def _event_type() -> type[EventType]:
    from schema.event.types import EventType  # imports TaskType itself

    return EventType


def _users(rows: list[Record]) -> list[UserType]:
    return [UserType.from_model(row) for row in rows]


def _teams(rows: list[Record]) -> list[TeamType]:
    return [TeamType.from_model(row) for row in rows]


assignees: Link[Any, int, list[Record], list[UserType]] = Link(
    lambda ctx: ctx.loaders.of(assignees_by_task_id), lambda task: task.id, _users)
teams: Link[Any, int, list[Record], list[TeamType]] = Link(
    lambda ctx: ctx.loaders.of(teams_by_task_id), lambda task: task.id, _teams)
created_by = node_link(User, lambda task: task._row.created_by_id, UserType.from_model)
community = node_link(Community, lambda task: task._row.community_id, CommunityType.from_model)
ppa = node_link(Ppa, lambda task: task._row.ppa_id, lambda row: _ppa_type().from_model(row))
event = node_link(Event, lambda task: task._row.event_id, lambda row: _event_type().from_model(row))
