"""Loaders for notification preferences."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarPreference


async def calendar_preference_by_user_id(
    session: AsyncSession, keys: Sequence[int]
) -> list[CalendarPreference | None]:
    rows = await session.scalars(select(CalendarPreference).where(CalendarPreference.user_id.in_(keys)))
    by_user = {row.user_id: row for row in rows}
    return [by_user.get(key) for key in keys]
