"""Event queries: window overlap, list filters (the read rule is ``db/policies/event.py``)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule
from db.models import Booking, Event, EventOverride, EventParticipant
from db.policies import policy_for
from db.policies.viewer import Viewer
from db.queries.search import contains, search_terms


def overlaps_window(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Series with an occurrence that may overlap ``[start, end)``.

    Window rule (the one ``db.rules.recurrence.expand_occurrences`` applies exactly):
    an occurrence ``[s, e)`` with ``s < e`` is in the window iff ``s < end`` and
    ``e > start``; a zero-length one (``s == e``, RFC 5545 allows them) iff
    ``start <= s < end``, so one at the window's start is in, one at its end is not.

    ``series_ends_at`` is the end of the last occurrence (NULL for an endless
    series, or for a single event stored without it, which ``ends_at`` covers);
    it includes overridden occurrences moved later, and an override moved before
    the first start is matched on its own times (``event_overrides.starts_at`` is indexed).
    """
    # An occurrence moved before the series' first start (an override) is found through its own times.
    moved_into_window = exists().where(
        EventOverride.event_id == Event.id, EventOverride.starts_at < end,
        or_(EventOverride.ends_at > start, EventOverride.starts_at >= start),
    )
    # An RDATE before DTSTART: ``series_starts_at`` is set (and indexed) only for such series.
    starts_before_end = or_(Event.starts_at < end, Event.series_starts_at < end)
    return or_(and_(starts_before_end, not_over_before(start)), moved_into_window)


def not_over_before(start: datetime) -> ColumnElement[bool]:
    """Series whose last occurrence ends after ``start``, or may be a zero-length one at ``start``.

    ``starts_at >= start`` admits a zero-length single event at ``start`` (an event
    with a duration starting there ends after it anyway).
    """
    recurring = or_(Event.rrule.is_not(None), func.cardinality(Event.rdates) > 0)
    instant_override_at_start = exists().where(
        EventOverride.event_id == Event.id, EventOverride.starts_at == start, EventOverride.ends_at == start
    )
    last_is_instant_at_start = and_(
        Event.series_ends_at == start, or_(Event.ends_at == Event.starts_at, instant_override_at_start)
    )
    return or_(
        Event.ends_at > start,
        Event.starts_at >= start,
        Event.series_ends_at > start,
        and_(Event.series_ends_at.is_(None), recurring),
        last_is_instant_at_start,
    )


@dataclass(frozen=True, slots=True)
class EventFilterValues:
    start: datetime | None = None
    end: datetime | None = None
    modules: Sequence[CalendarModule] | None = None
    team_ids: Sequence[int] | None = None
    community_ids: Sequence[int] | None = None
    participant_ids: Sequence[int] | None = None
    resource_ids: Sequence[int] | None = None
    search: str | None = None


def filter_clauses(f: EventFilterValues) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.start is not None and f.end is not None:
        clauses.append(overlaps_window(f.start, f.end))
    elif f.start is not None:
        clauses.append(not_over_before(f.start))
    elif f.end is not None:
        clauses.append(Event.starts_at < f.end)
    if f.modules is not None:
        clauses.append(Event.module.in_(list(f.modules)) if f.modules else false())
    if f.team_ids is not None:
        clauses.append(Event.team_id.in_(list(f.team_ids)) if f.team_ids else false())
    if f.community_ids is not None:
        clauses.append(Event.community_id.in_(list(f.community_ids)) if f.community_ids else false())
    if f.participant_ids is not None:
        ids = list(f.participant_ids)
        clauses.append(
            or_(
                Event.owner_id.in_(ids),
                exists().where(EventParticipant.event_id == Event.id, EventParticipant.user_id.in_(ids)),
            )
            if ids
            else false()
        )
    if f.resource_ids is not None:
        ids = list(f.resource_ids)
        clauses.append(
            exists().where(Booking.event_id == Event.id, Booking.resource_id.in_(ids)) if ids else false()
        )
    if (search := search_terms(f.search)) is not None:
        clauses.append(contains(search, Event.title, Event.location))
    return clauses


def events_query(viewer: Viewer, f: EventFilterValues) -> Select[Event]:
    return (
        policy_for(Event).select(viewer)
        .where(*filter_clauses(f), true())
        .order_by(Event.starts_at, Event.id)
    )


async def get_event(session: AsyncSession, event_id: int, *, for_update: bool = False) -> Event | None:
    stmt = select(Event).where(Event.id == event_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def overrides_of(session: AsyncSession, event_id: int) -> list[EventOverride]:
    rows = await session.scalars(
        select(EventOverride).where(EventOverride.event_id == event_id).order_by(EventOverride.recurrence_id)
    )
    return list(rows)


async def participant_ids_of(session: AsyncSession, event_id: int) -> list[int]:
    rows = await session.scalars(
        select(EventParticipant.user_id).where(EventParticipant.event_id == event_id).order_by(EventParticipant.user_id)
    )
    return list(rows)


async def can_read_event(session: AsyncSession, event: Event, viewer: Viewer) -> bool:
    found = await session.scalar(select(Event.id).where(Event.id == event.id, policy_for(Event).readable(viewer)))
    return found is not None
