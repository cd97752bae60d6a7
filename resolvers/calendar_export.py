"""iCalendar export of a viewer's calendar window (export.ics, share-link feeds, ``almanac ics export``).

Event series overlapping the window are exported whole, as rules (RRULE,
RDATE, EXDATE, RECURRENCE-ID overrides) with a VTIMEZONE per zone; the other
entries of the window (task due dates, PPA dates, milestones, stages,
assessment milestones, bookings) become single events whose UID derives from
the entry id, so clients update them in place on the next fetch.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedPrivacy, Visibility
from db.models import Event, EventOverride
from db.policies import policy_for
from db.policies.feed import OFFICE, Shown, shown_in_feed
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
from db.rules.icalendar_export import BUSY_TITLE, ExportEvent, export_calendar
from db.rules.recurrence import OverrideSpec, SeriesSpec

NON_EVENT_SOURCES = (task_entries, ppa_entries, milestone_entries, stage_entries, assessment_entries, booking_entries)


CLASSES = {Visibility.PUBLIC: "PUBLIC", Visibility.PRIVATE: "PRIVATE"}  # INTERNAL: no CLASS (imports as INTERNAL)


@dataclass(frozen=True, slots=True)
class Feed:
    """A share link's feed: its owner's view narrowed by ``db/policies/feed.py``."""

    owner_id: int
    privacy: FeedPrivacy
    salt: str  # keys the opaque UIDs of busy entries (the server's secret)

    def busy_uid(self, raw: str) -> str:
        return hmac.new(self.salt.encode(), raw.encode(), hashlib.sha256).hexdigest()[:32] + "@busy.almanac"


def busy(event: ExportEvent, uid: str) -> ExportEvent:
    """Only the times of ``event``: no title, description, location, category or source id."""
    overrides = {rid: OverrideSpec(cancelled=o.cancelled, start=o.start, end=o.end)
                 for rid, o in event.series.overrides.items()}
    return ExportEvent(uid=uid, title=BUSY_TITLE, series=replace(event.series, overrides=overrides),
                       sequence=event.sequence, classification="PRIVATE")


async def event_exports(session: AsyncSession, scope: CalendarScope, feed: Feed | None = None) -> list[ExportEvent]:
    office_readable = policy_for(Event).readable(OFFICE).label("office_readable")
    rows = (await session.execute(
        select(Event.id, Event.uid, Event.title, Event.description, Event.location, Event.sequence, Event.module,
               Event.starts_at, Event.ends_at, Event.all_day, Event.timezone, Event.rrule, Event.rdates,
               Event.exdates, Event.nominal_duration, Event.visibility, Event.owner_id, office_readable)
        .where(*event_clauses(scope)).order_by(Event.starts_at, Event.id)
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
    exports: list[ExportEvent] = []
    for row in rows:
        export = ExportEvent(
            uid=row.uid, title=row.title, description=row.description, location=row.location,
            sequence=row.sequence, categories=(row.module.value,), classification=CLASSES.get(row.visibility),
            series=SeriesSpec(start=row.starts_at, end=row.ends_at, all_day=row.all_day, timezone=row.timezone,
                              rrule=row.rrule, rdates=tuple(row.rdates or ()), exdates=tuple(row.exdates or ()),
                              overrides=overrides.get(row.id, {}), nominal=row.nominal_duration),
        )
        if feed is not None:
            shown = shown_in_feed(office_readable=bool(row.office_readable),
                                  owners_own=row.owner_id == feed.owner_id, privacy=feed.privacy)
            if shown is Shown.NONE:
                continue
            if shown is Shown.BUSY:
                export = busy(export, feed.busy_uid(row.uid))
        exports.append(export)
    return exports


def entry_export(entry: CalendarEntry) -> ExportEvent:
    raw = base64.b64decode(entry.id).decode().replace(":", "-")
    end = entry.end if entry.end is not None else entry.start
    return ExportEvent(
        uid=f"{raw}@almanac", title=entry.title, categories=(entry.module.value, entry.kind.value),
        series=SeriesSpec(start=entry.start, end=end, all_day=entry.all_day, timezone=entry.timezone or "UTC"),
    )


async def entry_exports(session: AsyncSession, scope: CalendarScope, feed: Feed | None) -> list[ExportEvent]:
    """Task due dates, PPA dates, milestones, stages, assessment milestones and bookings."""
    exports: list[ExportEvent] = []
    for source in NON_EVENT_SOURCES:
        entries = await source(session, scope)
        if feed is None:
            exports.extend(entry_export(entry) for entry in entries)
            continue
        office_ids = {e.id for e in await source(session, replace(scope, viewer=OFFICE))} if entries else set()
        for entry in entries:
            shown = shown_in_feed(office_readable=entry.id in office_ids, owners_own=False, privacy=feed.privacy)
            if shown is Shown.FULL:
                exports.append(entry_export(entry))
            elif shown is Shown.BUSY:
                exports.append(busy(entry_export(entry), feed.busy_uid(entry.id)))
    return exports


async def export_scope(session: AsyncSession, scope: CalendarScope, *, name: str | None = None,
                       feed: Feed | None = None) -> bytes:
    """The window as ``scope.viewer`` reads it; for a share-link ``feed``, narrowed by its privacy."""
    exports = await event_exports(session, scope, feed)
    exports.extend(await entry_exports(session, scope, feed))
    return export_calendar(exports, stamp=datetime.now(UTC), name=name)


def aware_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def export_ics(session: AsyncSession, *, start: datetime, end: datetime) -> bytes:
    """``almanac ics export``: the office-wide view of the window (``db/policies/feed.OFFICE``: PUBLIC and
    INTERNAL events and what every signed-in user reads; nobody's PRIVATE events). Naive times are UTC."""
    start, end = aware_utc(start), aware_utc(end)
    if end <= start:
        raise ValueError("--end must be after --start")
    return await export_scope(session, CalendarScope(start=start, end=end, viewer=OFFICE), name="Almanac")


def default_window(now: datetime, max_days: int) -> tuple[datetime, datetime]:
    """For feeds and exports without explicit bounds: a month back, the rest of the allowed span ahead."""
    start = now - timedelta(days=min(30, max_days // 4))
    return start, start + timedelta(days=max_days)
