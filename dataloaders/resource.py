"""Loaders for resources: their bookings within a window, as the viewer may read them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from dataloaders.registry import Reader
from db.enums import BookingStatus
from db.models import Booking
from db.queries.booking import bookings_query
from db.rules.availability import Interval


@dataclass(frozen=True, slots=True)
class ResourceBookingsKey:
    resource_id: int
    window: Interval | None = None
    statuses: tuple[BookingStatus, ...] = ()

    @property
    def filter(self) -> tuple[Interval | None, tuple[BookingStatus, ...]]:
        return self.window, self.statuses


async def bookings_by_resource_key(reader: Reader, keys: Sequence[ResourceBookingsKey]) -> list[list[Booking]]:
    """One statement per distinct (window, statuses) among the keys: normally one."""
    groups: dict[tuple[Interval | None, tuple[BookingStatus, ...]], list[int]] = defaultdict(list)
    for key in keys:
        groups[key.filter].append(key.resource_id)
    found: dict[tuple[object, ...], list[Booking]] = defaultdict(list)
    for (window, statuses), resource_ids in groups.items():
        stmt = bookings_query(reader.viewer, resource_ids=resource_ids, statuses=statuses, window=window)
        for booking in await reader.session.scalars(stmt):
            found[(window, statuses, booking.resource_id)].append(booking)
    return [found.get((*key.filter, key.resource_id), []) for key in keys]
