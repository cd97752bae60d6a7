"""When people are busy: their own events and the ones they did not decline, merged, no details.

Only callers that ``db/policies/sharing.py`` lets see a person's (or a team calendar's) free/busy
reach this (the person themself or a team member, or a grantee at FREE_BUSY or above): it reads
PRIVATE events' times.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Rsvp
from db.models import Event, EventParticipant
from db.queries.calendar_events import SERIES_COLUMNS, overrides_by_event
from db.queries.event import overlaps_window
from db.rules.availability import BusyBlock, BusySpan, Interval, clip, merge_busy
from db.rules.recurrence import InvalidRecurrence, OverrideSpec, SeriesSpec, expand_occurrences


async def busy_blocks(
    session: AsyncSession, user_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[BusyBlock]]:
    """Merged busy blocks in ``[start, end)`` for each user (two statements for all of them)."""
    if not user_ids:
        return {}
    ids = list(user_ids)
    attending = (
        select(EventParticipant.event_id, EventParticipant.user_id)
        .where(EventParticipant.user_id.in_(ids), EventParticipant.rsvp != Rsvp.DECLINED)
    ).subquery()
    rows = (await session.execute(
        select(*SERIES_COLUMNS, Event.owner_id, attending.c.user_id)
        .outerjoin(attending, attending.c.event_id == Event.id)
        .where(overlaps_window(start, end), or_(Event.owner_id.in_(ids), attending.c.user_id.is_not(None)))
    )).all()
    return await _blocks_of(session, rows, lambda row: {u for u in (row.owner_id, row.user_id) if u in ids},
                            ids, start, end)


async def team_busy_blocks(
    session: AsyncSession, team_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[BusyBlock]]:
    """Merged busy blocks in ``[start, end)`` of each team's calendar (its events; two statements)."""
    if not team_ids:
        return {}
    ids = list(team_ids)
    rows = (await session.execute(
        select(*SERIES_COLUMNS, Event.team_id).where(overlaps_window(start, end), Event.team_id.in_(ids))
    )).all()
    return await _blocks_of(session, rows, lambda row: {row.team_id}, ids, start, end)


async def _blocks_of(session: AsyncSession, rows: Sequence[Any], holders_of: Callable[[Any], set[int]],
                     ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[BusyBlock]]:
    """Each holder's merged busy blocks from event ``rows`` (SERIES_COLUMNS), a holder being whoever
    ``holders_of(row)`` names; one statement for the rows' overrides."""
    overrides = await overrides_by_event(session, sorted({r.id for r in rows if r.rrule or r.rdates}))
    spans: dict[int, list[BusySpan]] = defaultdict(list)
    for row in rows:
        holders = holders_of(row)
        for interval in _occurrences(row, overrides.get(row.id, {}), start, end):
            for holder in holders:
                spans[holder].append(BusySpan(interval.start, interval.end, row.id))
    window = Interval(start, end)
    return {holder: clip(merge_busy(spans[holder]), window) for holder in ids}


def _occurrences(row: Any, overrides: dict[Any, OverrideSpec], start: datetime, end: datetime) -> list[Interval]:
    """``row`` carries SERIES_COLUMNS."""
    if not (row.rrule or row.rdates):
        return [Interval(row.starts_at, row.ends_at)]
    spec = SeriesSpec(start=row.starts_at, end=row.ends_at, all_day=row.all_day, timezone=row.timezone,
                      rrule=row.rrule, rdates=row.rdates or (), exdates=row.exdates or (), overrides=overrides,
                      nominal=row.nominal_duration)
    try:
        return [Interval(o.start, o.end) for o in expand_occurrences(spec, start, end)]
    except InvalidRecurrence:
        return []  # as the calendar does: a stored rule a later library rejects hides its series
