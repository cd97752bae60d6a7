"""Loaders for resources: their bookings within a window, as a viewer may read them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, Role
from db.models import Booking
from db.queries.booking import bookings_query
from db.rules.availability import Interval


@dataclass(frozen=True, slots=True)
class ViewerScope:
    """The reading user, reduced to what read rules need (hashable, so it fits in a loader key)."""

    id: int
    role: Role


@dataclass(frozen=True, slots=True)
class ResourceBookingsKey:
    resource_id: int
    viewer: ViewerScope
    window: Interval | None = None
    statuses: tuple[BookingStatus, ...] = ()

    @property
    def filter(self) -> tuple[ViewerScope, Interval | None, tuple[BookingStatus, ...]]:
        return self.viewer, self.window, self.statuses


async def bookings_by_resource_key(
    session: AsyncSession, keys: Sequence[ResourceBookingsKey]
) -> list[list[Booking]]:
    """One statement per distinct (viewer, window, statuses) among the keys: normally one."""
    groups: dict[tuple[ViewerScope, Interval | None, tuple[BookingStatus, ...]], list[int]] = defaultdict(list)
    for key in keys:
        groups[key.filter].append(key.resource_id)
    found: dict[tuple[object, ...], list[Booking]] = defaultdict(list)
    for (viewer, window, statuses), resource_ids in groups.items():
        stmt = bookings_query(viewer, resource_ids=resource_ids, statuses=statuses, window=window)
        for booking in await session.scalars(stmt):
            found[(viewer, window, statuses, booking.resource_id)].append(booking)
    return [found.get((*key.filter, key.resource_id), []) for key in keys]
