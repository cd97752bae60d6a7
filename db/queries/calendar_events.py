"""Calendar entries of events: one query for the series in the window, one for their overrides."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from functools import partial
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Event, EventOverride
from db.policies import policy_for
from db.queries.calendar_scope import CalendarScope
from db.queries.calendar_series_cache import series_entries
from db.queries.event import EventFilterValues, filter_clauses, overlaps_window
from db.rules.calendar_entries import CalendarEntry, EntryKind, entry_id
from db.rules.recurrence import (
    ExpansionLimit,
    InvalidRecurrence,
    OverrideSpec,
    SeriesSpec,
    expand_occurrences,
)

MAX_EVENT_ENTRIES = 50_000  # the calendar's per-window cap, checked while expanding

SERIES_COLUMNS = (
    Event.id, Event.title, Event.module, Event.starts_at, Event.ends_at, Event.all_day, Event.timezone,
    Event.rrule, Event.rdates, Event.exdates, Event.nominal_duration,
)


def event_clauses(scope: CalendarScope) -> list[ColumnElement[bool]]:
    """Readable series overlapping the window, narrowed by the scope's filters."""
    values = EventFilterValues(
        modules=sorted(scope.modules) if scope.modules is not None else None,
        community_ids=scope.community_ids,
        participant_ids=scope.assignee_ids,
        resource_ids=scope.resource_ids,
    )
    return [policy_for(Event).readable(scope.viewer), overlaps_window(scope.start, scope.end), *filter_clauses(values)]


async def overrides_by_event(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, dict[Any, OverrideSpec]]:
    """Overrides of many series in one statement (``event_id = ANY(:ids)``)."""
    if not event_ids:
        return {}
    ids = bindparam("event_ids", list(event_ids), type_=ARRAY(BigInteger))
    rows = await session.execute(
        select(
            EventOverride.event_id, EventOverride.recurrence_id, EventOverride.cancelled, EventOverride.starts_at,
            EventOverride.ends_at, EventOverride.title, EventOverride.description, EventOverride.location,
        ).where(EventOverride.event_id == any_(ids))
    )
    grouped: dict[int, dict[Any, OverrideSpec]] = {}
    for event_id, recurrence_id, cancelled, starts_at, ends_at, title, description, location in rows:
        grouped.setdefault(event_id, {})[recurrence_id.astimezone(UTC)] = OverrideSpec(
            cancelled=cancelled, start=starts_at, end=ends_at, title=title, description=description,
            location=location,
        )
    return grouped


async def event_entries(session: AsyncSession, scope: CalendarScope,
                        extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    """``extra``: more conditions on the series (one event's id, not office-readable)."""
    rows = (await session.execute(select(*SERIES_COLUMNS).where(*event_clauses(scope), *extra))).all()
    recurring = [row.id for row in rows if row.rrule or row.rdates]
    overrides = await overrides_by_event(session, recurring)
    entries: list[CalendarEntry] = []
    append = entries.append
    kind = EntryKind.EVENT
    for row in rows:
        event_id, title, module, tz, all_day = row.id, row.title, row.module, row.timezone, row.all_day
        if not (row.rrule or row.rdates):
            append(CalendarEntry(entry_id("Event", event_id), kind, module, title, row.starts_at, row.ends_at,
                                 all_day, tz, None, "Event", event_id))
            continue
        changed = overrides.get(event_id, {})
        # Everything the expansion reads is in the key: an edited series or override misses.
        key = (_hashable(row), tuple(sorted(changed.items())), scope.start, scope.end)
        try:
            occurrences = series_entries.entries(key, partial(series_window_entries, row, changed, scope))
        except InvalidRecurrence:
            continue  # stored rules are validated on write; a rule a later library rejects hides its series
        if len(entries) + len(occurrences) > MAX_EVENT_ENTRIES:
            raise ExpansionLimit(MAX_EVENT_ENTRIES)
        entries.extend(occurrences)
    return entries


def _hashable(row: Any) -> tuple[Any, ...]:
    return tuple(tuple(value) if isinstance(value, list) else value for value in row)


def series_window_entries(row: Any, overrides: dict[Any, OverrideSpec], scope: CalendarScope) -> list[CalendarEntry]:
    """One recurring series' entries in the scope's window (no I/O)."""
    event_id, title, module, tz, all_day = row.id, row.title, row.module, row.timezone, row.all_day
    spec = SeriesSpec(start=row.starts_at, end=row.ends_at, all_day=all_day, timezone=tz, rrule=row.rrule,
                      rdates=row.rdates or (), exdates=row.exdates or (), overrides=overrides,
                      nominal=row.nominal_duration)
    occurrences = expand_occurrences(spec, scope.start, scope.end)
    if len(occurrences) > MAX_EVENT_ENTRIES:
        raise ExpansionLimit(MAX_EVENT_ENTRIES)
    kind = EntryKind.EVENT
    return [
        CalendarEntry(entry_id("Event", event_id, o.recurrence_id), kind, module,
                      (o.override.title if o.override is not None else None) or title,
                      o.start.astimezone(UTC), o.end.astimezone(UTC), all_day, tz, o.recurrence_id, "Event", event_id)
        for o in occurrences
    ]
