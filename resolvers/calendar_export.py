"""iCalendar export of a viewer's calendar window (export.ics, share-link feeds, ``almanac ics export``).

Event series overlapping the window are exported whole, as rules (RRULE,
RDATE, EXDATE, RECURRENCE-ID overrides) with a VTIMEZONE per zone; the other
entries of the window (task due dates, PPA dates, milestones, stages,
assessment milestones, bookings) become single events whose UID derives from
the entry id, so clients update them in place on the next fetch.
"""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Event, EventOverride, User
from db.queries.calendar_events import event_clauses
from db.queries.calendar_projects import (
    assessment_entries,
    milestone_entries,
    ppa_entries,
    stage_entries,
)
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_work import booking_entries, task_entries
from db.rules.calendar_entries import CalendarEntry
from db.rules.icalendar_export import ExportEvent, export_calendar
from db.rules.recurrence import OverrideSpec, SeriesSpec

NON_EVENT_SOURCES = (task_entries, ppa_entries, milestone_entries, stage_entries, assessment_entries, booking_entries)


async def event_exports(session: AsyncSession, scope: CalendarScope) -> list[ExportEvent]:
    rows = (await session.execute(
        select(Event.id, Event.uid, Event.title, Event.description, Event.location, Event.sequence, Event.module,
               Event.starts_at, Event.ends_at, Event.all_day, Event.timezone, Event.rrule, Event.rdates,
               Event.exdates, Event.nominal_duration).where(*event_clauses(scope)).order_by(Event.starts_at, Event.id)
    )).all()
    recurring = [row.id for row in rows if row.rrule or row.rdates]
    overrides: dict[int, dict[datetime, OverrideSpec]] = {}
    if recurring:
        ids = bindparam("event_ids", recurring, type_=ARRAY(BigInteger))
        for o in await session.scalars(select(EventOverride).where(EventOverride.event_id == any_(ids))):
            overrides.setdefault(o.event_id, {})[o.recurrence_id.astimezone(UTC)] = OverrideSpec(
                cancelled=o.cancelled, start=o.starts_at, end=o.ends_at, title=o.title,
                description=o.description, location=o.location,
            )
    return [
        ExportEvent(
            uid=row.uid, title=row.title, description=row.description, location=row.location,
            sequence=row.sequence, categories=(row.module.value,),
            series=SeriesSpec(start=row.starts_at, end=row.ends_at, all_day=row.all_day, timezone=row.timezone,
                              rrule=row.rrule, rdates=tuple(row.rdates or ()), exdates=tuple(row.exdates or ()),
                              overrides=overrides.get(row.id, {}), nominal=row.nominal_duration),
        )
        for row in rows
    ]


def entry_export(entry: CalendarEntry) -> ExportEvent:
    raw = base64.b64decode(entry.id).decode().replace(":", "-")
    end = entry.end if entry.end is not None else entry.start
    return ExportEvent(
        uid=f"{raw}@almanac", title=entry.title, categories=(entry.module.value, entry.kind.value),
        series=SeriesSpec(start=entry.start, end=end, all_day=entry.all_day, timezone=entry.timezone or "UTC"),
    )


async def export_scope(session: AsyncSession, scope: CalendarScope, *, name: str | None = None) -> bytes:
    exports = await event_exports(session, scope)
    for source in NON_EVENT_SOURCES:
        exports.extend(entry_export(entry) for entry in await source(session, scope))
    return export_calendar(exports, stamp=datetime.now(UTC), name=name)


def aware_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def export_ics(session: AsyncSession, *, start: datetime, end: datetime, viewer_id: int | None = None) -> bytes:
    """``almanac ics export``: the window as seen by ``viewer_id`` (default: the first active admin,
    i.e. PUBLIC and INTERNAL events plus that admin's own private ones). Naive times are UTC."""
    start, end = aware_utc(start), aware_utc(end)
    if end <= start:
        raise ValueError("--end must be after --start")
    if viewer_id is None:
        viewer_id = await session.scalar(
            select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id).limit(1)
        )
    return await export_scope(session, CalendarScope(start=start, end=end, viewer_id=viewer_id), name="Almanac")


def default_window(now: datetime, max_days: int) -> tuple[datetime, datetime]:
    """For feeds and exports without explicit bounds: a month back, the rest of the allowed span ahead."""
    start = now - timedelta(days=min(30, max_days // 4))
    return start, start + timedelta(days=max_days)
