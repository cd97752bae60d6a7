"""Queries for bookings: listing (read rule: ``db.policies.booking``), collisions, row locks."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Select,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus
from db.models import Booking
from db.policies import policy_for
from db.policies.viewer import Viewer
from db.rules.availability import Interval

ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED)


def booking_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: ``viewer`` may read the booking row (``db.policies.booking``)."""
    return policy_for(Booking).readable(viewer)


def blocked_overlaps(start: ColumnElement[datetime] | datetime, end: ColumnElement[datetime] | datetime) -> ColumnElement[bool]:
    """The booking's blocked range overlaps ``[start, end)`` (the exclusion constraint's own expression)."""
    blocked = func.tstzrange(Booking.blocked_from, Booking.blocked_until, "[)")
    return blocked.op("&&")(func.tstzrange(start, end, "[)"))


def bookings_query(
    viewer: Viewer,
    *,
    resource_ids: Sequence[int] | None = None,
    statuses: Sequence[BookingStatus] | None = None,
    window: Interval | None = None,
    requester_id: int | None = None,
    event_id: int | None = None,
) -> Select[Booking]:
    """Bookings ``viewer`` may read, filtered; ``window`` keeps slots overlapping it."""
    stmt = select(Booking).where(booking_visible_to(viewer))
    if resource_ids is not None:
        stmt = stmt.where(Booking.resource_id.in_(list(resource_ids)))
    if statuses:
        stmt = stmt.where(Booking.status.in_(list(statuses)))
    if window is not None:
        stmt = stmt.where(Booking.starts_at < window.end, Booking.ends_at > window.start)
    if requester_id is not None:
        stmt = stmt.where(Booking.requested_by_id == requester_id)
    if event_id is not None:
        stmt = stmt.where(Booking.event_id == event_id)
    return stmt.order_by(Booking.starts_at, Booking.id)


async def colliding_bookings(
    session: AsyncSession, resource_id: int, blocked: Sequence[Interval]
) -> list[tuple[int, Booking]]:
    """Pending/approved bookings of the resource whose blocked range overlaps one of ``blocked``.

    Returns ``(index into blocked, booking)`` pairs ordered by index, then start;
    one statement however many ranges are asked about.
    """
    if not blocked:
        return []
    tstz_array = ARRAY(DateTime(timezone=True))
    ranges = func.unnest(
        literal([r.start for r in blocked], tstz_array), literal([r.end for r in blocked], tstz_array)
    ).table_valued("range_from", "range_until", with_ordinality="position").render_derived()
    rows = await session.execute(
        select(ranges.c.position, Booking)
        .join(ranges, blocked_overlaps(ranges.c.range_from, ranges.c.range_until))
        .where(Booking.resource_id == resource_id, Booking.status.in_(ACTIVE_STATUSES))
        .order_by(ranges.c.position, Booking.blocked_from, Booking.id)
    )
    return [(int(position) - 1, booking) for position, booking in rows]


async def lock_booking(session: AsyncSession, booking_id: int) -> Booking | None:
    """The booking row, locked until the transaction ends (decisions and cancellations serialise)."""
    return await session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update().execution_options(populate_existing=True)
    )


async def readable_booking_ids(session: AsyncSession, viewer: Viewer, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    rows = await session.scalars(select(Booking.id).where(Booking.id.in_(list(ids)), booking_visible_to(viewer)))
    return set(rows)

