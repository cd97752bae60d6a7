"""Builders for task tests: rows straight through the test session (flushed, never committed)."""
from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaCategory, TaskStatus
from db.models import Ppa, Task, TaskAssignee, TaskTeam, Team
from schema.core.ids import to_global_id

TaskFactory = Callable[..., Awaitable[Task]]


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def suffix() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def make_task(session: AsyncSession) -> TaskFactory:
    positions: dict[TaskStatus, float] = {}

    async def make(title: str = "Task", *, assignees: tuple[int, ...] = (), teams: tuple[int, ...] = (),
                   **values: Any) -> Task:
        status = values.setdefault("status", TaskStatus.TODO)
        if "position" not in values:
            positions[status] = positions.get(status, 0.0) + 1024.0
            values["position"] = positions[status]
        task = Task(title=title, **values)
        session.add(task)
        await session.flush()
        session.add_all([TaskAssignee(task_id=task.id, user_id=u) for u in assignees])
        session.add_all([TaskTeam(task_id=task.id, team_id=t) for t in teams])
        await session.flush()
        return task

    return make


@pytest.fixture
def make_ppa(session: AsyncSession) -> Callable[..., Awaitable[Ppa]]:
    async def make(title: str = "Road repair", **values: Any) -> Ppa:
        ppa = Ppa(title=title, category=values.pop("category", PpaCategory.PROJECT), **values)
        session.add(ppa)
        await session.flush()
        return ppa

    return make


@pytest.fixture
def make_team(session: AsyncSession) -> Callable[..., Awaitable[Team]]:
    async def make(name: str | None = None) -> Team:
        team = Team(name=name or f"Team {suffix()}")
        session.add(team)
        await session.flush()
        return team

    return make


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def on(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def pk_of(global_id: str) -> int:
    from strawberry.relay import GlobalID

    return int(GlobalID.from_id(global_id).node_id)
