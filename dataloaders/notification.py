"""Loaders for notification preferences."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dataloaders.registry import Reader
from db.models import CalendarPreference


async def calendar_preference_by_user_id(reader: Reader, keys: Sequence[int]
) -> list[CalendarPreference | None]:
    rows = await reader.session.scalars(select(CalendarPreference).where(
        CalendarPreference.user_id.in_(keys), reader.readable(CalendarPreference)
    ))
    by_user = {row.user_id: row for row in rows}
    return [by_user.get(key) for key in keys]
