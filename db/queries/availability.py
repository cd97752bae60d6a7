"""Busy spans of resources over a window, for free/busy computation."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Booking
from db.policies.viewer import Viewer
from db.queries.booking import ACTIVE_STATUSES, blocked_overlaps, booking_visible_to
from db.rules.availability import BusySpan, Interval


@dataclass(frozen=True, slots=True)
class ResourceBusy:
    spans: list[BusySpan]
    visible_booking_ids: set[int]


async def busy_by_resource(
    session: AsyncSession, viewer: Viewer, resource_ids: Sequence[int], reach: Interval
) -> dict[int, ResourceBusy]:
    """Blocked ranges of pending/approved bookings overlapping ``reach``, per resource (one statement).

    ``reach`` is the window widened by the largest buffers, so blocks just outside
    the window still shorten the free time inside it.
    """
    result = {rid: ResourceBusy([], set()) for rid in resource_ids}
    rows = await session.execute(
        select(
            Booking.id, Booking.resource_id, Booking.blocked_from, Booking.blocked_until,
            booking_visible_to(viewer).label("visible"),
        ).where(
            Booking.resource_id.in_(list(resource_ids)),
            Booking.status.in_(ACTIVE_STATUSES),
            blocked_overlaps(reach.start, reach.end),
        )
    )
    for booking_id, resource_id, blocked_from, blocked_until, visible in rows:
        busy = result[resource_id]
        busy.spans.append(BusySpan(blocked_from, blocked_until, booking_id))
        if visible:
            busy.visible_booking_ids.add(booking_id)
    return result
