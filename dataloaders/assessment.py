"""Loaders for an assessment's generated tasks."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dataloaders.registry import group_by
from db.models import Task


async def tasks_by_assessment_id(session: AsyncSession, keys: Sequence[int]) -> list[list[Task]]:
    rows = await session.scalars(
        select(Task).where(Task.assessment_id.in_(keys)).order_by(Task.due_at.asc().nulls_last(), Task.id)
    )
    return group_by(rows.all(), "assessment_id", keys)
