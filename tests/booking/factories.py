"""Rows for booking and resource tests, written straight through the test session."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BookingStatus, ResourceKind, Visibility
from db.models import Booking, Event, Resource, User
from schema.core.ids import to_global_id


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2031 (UTC): far enough ahead to stay 'upcoming'."""
    return datetime(2031, 3, day, hour, minute, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def add_resource(
    session: AsyncSession, *, name: str | None = None, kind: ResourceKind = ResourceKind.ROOM,
    requires_approval: bool = False, before: int = 0, after: int = 0, active: bool = True,
) -> Resource:
    resource = Resource(
        name=name or f"Room {uuid.uuid4().hex[:8]}", kind=kind, requires_approval=requires_approval,
        buffer_before_minutes=before, buffer_after_minutes=after, is_active=active,
    )
    session.add(resource)
    await session.flush()
    return resource


async def add_booking(
    session: AsyncSession, resource: Resource, start: datetime, end: datetime, *,
    status: BookingStatus = BookingStatus.APPROVED, requester: User | None = None, event: Event | None = None,
) -> Booking:
    booking = Booking(
        resource_id=resource.id, starts_at=start, ends_at=end,
        blocked_from=start - timedelta(minutes=resource.buffer_before_minutes),
        blocked_until=end + timedelta(minutes=resource.buffer_after_minutes),
        status=status, requested_by_id=requester.id if requester else None,
        event_id=event.id if event else None,
    )
    session.add(booking)
    await session.flush()
    return booking


async def add_event(
    session: AsyncSession, owner: User, start: datetime, end: datetime, *, rrule: str | None = None,
    timezone: str = "UTC", visibility: Visibility = Visibility.INTERNAL,
) -> Event:
    event = Event(
        uid=f"{uuid.uuid4()}@test", title="Weekly coordination", starts_at=start, ends_at=end,
        timezone=timezone, rrule=rrule, visibility=visibility, owner_id=owner.id,
    )
    session.add(event)
    await session.flush()
    return event


async def bookings_of(session: AsyncSession, resource: Resource) -> list[Booking]:
    rows = await session.scalars(
        select(Booking).where(Booking.resource_id == resource.id).order_by(Booking.starts_at, Booking.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def count_of(session: AsyncSession, model: type, **where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    return int(await session.scalar(stmt) or 0)
