"""Series surgery for scoped edits: find an occurrence, override it, split or truncate a series."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Booking, Event, EventOverride, EventParticipant
from db.queries.event import overrides_of
from db.rules.recurrence import (
    InvalidRecurrence,
    SeriesSpec,
    expand_occurrences,
    split_series,
    zone,
)
from resolvers import validation as v
from resolvers.mutation import validation

COPIED_COLUMNS = (
    "title", "description", "location", "module", "visibility", "all_day", "timezone", "reminders",
    "is_quarterly_coordination", "quarter", "fiscal_year", "owner_id", "team_id", "community_id", "open_to_all",
)


def is_recurring(event: Event) -> bool:
    return bool(event.rrule or event.rdates)


def require_occurrence(value: datetime | None) -> datetime:
    if value is None:
        raise validation("Name the occurrence (its recurrenceId) for this scope.", "input.occurrence")
    return v.aware(value, "input.occurrence").astimezone(UTC)


def occurs_at(event: Event, overrides: Sequence[EventOverride], occurrence: datetime) -> bool:
    """Whether ``occurrence`` is the original start of an occurrence of the series (cancelled ones excluded)."""
    for override in overrides:
        if override.recurrence_id == occurrence:
            return not override.cancelled
    bare = SeriesSpec.from_event(event)
    try:
        found = expand_occurrences(bare, occurrence, occurrence + max(event.ends_at - event.starts_at, timedelta(seconds=1)))
    except InvalidRecurrence:
        return False
    return any(o.recurrence_id == occurrence for o in found)


async def load_occurrence(session: AsyncSession, event: Event, value: datetime | None) -> tuple[datetime, list[EventOverride]]:
    occurrence = require_occurrence(value)
    overrides = await overrides_of(session, event.id)
    if not occurs_at(event, overrides, occurrence):
        raise validation("Not an occurrence of this event (use its recurrenceId).", "input.occurrence")
    return occurrence, overrides


def is_first(event: Event, occurrence: datetime) -> bool:
    return occurrence <= event.starts_at


def shift_wall(moment: datetime, old_start: datetime, new_start: datetime, timezone_name: str) -> datetime:
    """Move ``moment`` by the wall-clock change from ``old_start`` to ``new_start`` (DST-safe)."""
    tz = zone(timezone_name)
    delta = new_start.astimezone(tz).replace(tzinfo=None) - old_start.astimezone(tz).replace(tzinfo=None)
    return ((moment.astimezone(tz).replace(tzinfo=None) + delta).replace(tzinfo=tz)).astimezone(UTC)


_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6}Z)")


def shift_until(rule: str, old_start: datetime, new_start: datetime, timezone_name: str) -> str:
    """Move a UTC UNTIL with the series' start, so moving a series later does not drop its last occurrence."""
    def moved(match: re.Match[str]) -> str:
        until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return "UNTIL=" + shift_wall(until, old_start, new_start, timezone_name).strftime("%Y%m%dT%H%M%SZ")

    return _UNTIL.sub(moved, rule)


def split_rules(event: Event, occurrence: datetime) -> tuple[str | None, str | None]:
    if not event.rrule:
        return None, None
    try:
        return split_series(event.rrule, event.starts_at, occurrence, timezone_name=event.timezone,
                            all_day=event.all_day)
    except InvalidRecurrence as error:
        raise validation(str(error), "input.occurrence") from None


async def truncate_before(session: AsyncSession, event: Event, occurrence: datetime, head_rule: str | None) -> None:
    """Keep only the occurrences before ``occurrence`` on ``event`` (overrides after it are deleted)."""
    event.rrule = head_rule
    event.rdates = [r for r in event.rdates or [] if r < occurrence]
    event.exdates = [x for x in event.exdates or [] if x < occurrence]
    await session.execute(
        delete(EventOverride).where(EventOverride.event_id == event.id, EventOverride.recurrence_id >= occurrence)
    )


async def split_off_tail(session: AsyncSession, event: Event, occurrence: datetime, uid: str) -> Event:
    """Cut ``event`` before ``occurrence``; the occurrences from it on become a new Event (the tail).

    COUNT is not copied: ``split_series`` gives the tail the count it had left.
    Overrides, participants and bookings of the tail's occurrences follow it.
    """
    head_rule, tail_rule = split_rules(event, occurrence)
    tail = Event(
        uid=uid, starts_at=occurrence, ends_at=occurrence + (event.ends_at - event.starts_at), rrule=tail_rule,
        rdates=[r for r in event.rdates or [] if r > occurrence],
        exdates=[x for x in event.exdates or [] if x > occurrence],
        parent_event_id=event.id, sequence=0, version=1,
        **{name: getattr(event, name) for name in COPIED_COLUMNS},
    )
    session.add(tail)
    await session.flush()
    await session.execute(
        update(EventOverride)
        .where(EventOverride.event_id == event.id, EventOverride.recurrence_id >= occurrence)
        .values(event_id=tail.id)
    )
    await session.execute(
        update(Booking)
        .where(Booking.event_id == event.id, Booking.event_recurrence_id >= occurrence)
        .values(event_id=tail.id)
    )
    participants = (await session.execute(
        select(EventParticipant.user_id, EventParticipant.rsvp).where(EventParticipant.event_id == event.id)
    )).all()
    session.add_all(EventParticipant(event_id=tail.id, user_id=uid_, rsvp=rsvp) for uid_, rsvp in participants)
    await truncate_before(session, event, occurrence, head_rule)
    return tail


async def upsert_override(session: AsyncSession, event: Event, overrides: Sequence[EventOverride],
                          occurrence: datetime) -> EventOverride:
    for override in overrides:
        if override.recurrence_id == occurrence:
            return override
    override = EventOverride(event_id=event.id, recurrence_id=occurrence, cancelled=False)
    session.add(override)
    return override
