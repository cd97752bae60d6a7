"""Loaders for bookings by what they are linked to (events and tasks)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dataloaders.registry import group_by
from db.models import Booking


async def bookings_by_event_id(session: AsyncSession, keys: Sequence[int]) -> list[list[Booking]]:
    """Bookings made for each event (every status), in time order."""
    rows = await session.scalars(
        select(Booking).where(Booking.event_id.in_(list(keys))).order_by(Booking.starts_at, Booking.id)
    )
    return group_by(rows.all(), "event_id", keys)


async def bookings_by_task_id(session: AsyncSession, keys: Sequence[int]) -> list[list[Booking]]:
    rows = await session.scalars(
        select(Booking).where(Booking.task_id.in_(list(keys))).order_by(Booking.starts_at, Booking.id)
    )
    return group_by(rows.all(), "task_id", keys)
