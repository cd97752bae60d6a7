"""Input checks, normalisation and change-log payloads shared by the event mutations."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Visibility
from db.models import Community, Event, EventOverride, Team, User
from db.policies.event import may_change_event
from db.policies.viewer import Viewer
from db.rules.event_changes import change_payload, iso, span
from db.rules.recurrence import (
    InvalidRecurrence,
    SeriesSpec,
    expand_occurrences,
    series_end,
    series_start,
    validate_rrule,
    zone,
)
from resolvers import validation as v
from resolvers.mutation import not_found, validation
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id

__all__ = ["change_payload", "iso", "span"]  # moved to db.rules.event_changes; kept importable here

MAX_DATES = 1000
MAX_REMINDERS = 10
MAX_REMINDER_MINUTES = 366 * 24 * 60
MAX_PARTICIPANTS = 500


def event_id(value: str, field: str = "input.id") -> int:
    return decode_id(value, "Event", field=field)


def title(value: str, field: str = "input.title") -> str:
    return v.text(value, field, max_length=300)


def description(value: str, field: str = "input.description") -> str:
    return v.text(value, field, max_length=20_000, required=False)


def location(value: str, field: str = "input.location") -> str:
    return v.text(value, field, max_length=300, required=False)


def rrule(value: str | None, field: str = "input.rrule") -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 1000:
        raise validation("At most 1000 characters.", field)
    try:
        return validate_rrule(value)
    except InvalidRecurrence as error:
        raise validation(str(error), field) from None


def moments(values: Sequence[datetime] | None, field: str) -> list[datetime]:
    if not values:
        return []
    if len(values) > MAX_DATES:
        raise validation(f"At most {MAX_DATES} dates.", field)
    return sorted({v.aware(value, field).astimezone(UTC) for value in values})


def reminders(values: Sequence[int] | None, field: str = "input.reminders") -> list[int]:
    if not values:
        return []
    if len(values) > MAX_REMINDERS:
        raise validation(f"At most {MAX_REMINDERS} reminders.", field)
    for minutes in values:
        v.number_range(minutes, field, low=0, high=MAX_REMINDER_MINUTES)
    return sorted(set(values), reverse=True)


def quarterly(flag: bool, quarter: int | None, fiscal_year: int | None) -> None:
    v.number_range(quarter, "input.quarter", low=1, high=4)
    v.number_range(fiscal_year, "input.fiscalYear", low=1900, high=2200)
    if flag and (quarter is None or fiscal_year is None):
        raise validation("A quarterly coordination meeting needs a quarter and a fiscal year.", "input.quarter")


def times(start: datetime, end: datetime, *, all_day: bool, timezone_name: str) -> tuple[datetime, datetime]:
    """Aware, ordered times; all-day events span whole local days (midnight to midnight)."""
    v.aware(start, "input.start")
    v.aware(end, "input.end")
    if all_day:
        tz = zone(timezone_name)
        local_end = end.astimezone(tz)
        last = local_end.date() if local_end.time() == time() else local_end.date() + timedelta(days=1)
        start = datetime.combine(start.astimezone(tz).date(), time(), tz)
        end = datetime.combine(max(last, start.date() + timedelta(days=1)), time(), tz)
    v.ordered(start, end, "input.end")
    return start.astimezone(UTC), end.astimezone(UTC)


async def ids_of(session: AsyncSession, model: type[Any], values: Iterable[str] | None, type_name: str,
                 field: str) -> list[int]:
    """Decode ids of ``type_name`` and insist they exist (NOT_FOUND otherwise)."""
    ids = sorted({decode_id(value, type_name, field=field) for value in values or ()})
    if len(ids) > MAX_PARTICIPANTS:
        raise validation(f"At most {MAX_PARTICIPANTS} ids.", field)
    if ids:
        found = set(await session.scalars(select(model.id).where(model.id.in_(ids))))
        if missing := [i for i in ids if i not in found]:
            raise not_found(f"{type_name} {missing[0]}", field)
    return ids


async def team_id(session: AsyncSession, value: str | None) -> int | None:
    ids = await ids_of(session, Team, [value] if value else [], "Team", "input.teamId")
    return ids[0] if ids else None


async def community_id(session: AsyncSession, value: str | None) -> int | None:
    ids = await ids_of(session, Community, [value] if value else [], "Community", "input.communityId")
    return ids[0] if ids else None


async def participant_ids(session: AsyncSession, values: Iterable[str] | None) -> list[int]:
    return await ids_of(session, User, values, "User", "input.participantIds")


def refresh_series_end(event: Event, overrides: Iterable[EventOverride] = ()) -> None:
    """Store the end of the last occurrence so window queries can skip finished series.

    DTSTART is the first occurrence of a series unless its UNTIL lies before it,
    which would leave a series without occurrences: that is rejected.
    """
    try:
        spec = SeriesSpec.from_event(event, overrides)
        first_excluded = event.starts_at in set(event.exdates or ())
        bare = SeriesSpec.from_event(event)
        if bare.is_recurring and not first_excluded and not expand_occurrences(bare, event.starts_at, event.ends_at):
            raise validation("The recurrence rule yields no occurrence (UNTIL before the start?).", "input.rrule")
        ends = series_end(spec)
        event.series_ends_at = ends.astimezone(UTC) if ends is not None else None
        first = series_start(spec)
        event.series_starts_at = first if first < event.starts_at else None
    except InvalidRecurrence as error:
        raise validation(str(error), "input.rrule") from None


async def may_edit(session: AsyncSession, viewer: Viewer, event: Event) -> None:
    """``db/policies/event.may_change_event`` or PERMISSION_DENIED (the caller has read the event)."""
    if not await may_change_event(session, viewer, event.owner_id, event.visibility, event.team_id):
        message = ("Only the owner may change a private event." if event.visibility == Visibility.PRIVATE
                   else "Only the owner, managers and admins may change this event.")
        raise DomainError.one(ErrorCode.PERMISSION_DENIED, message)


def check_version(event: Event, expected: int | None) -> None:
    if expected is not None and expected != event.version:
        raise DomainError.one(
            ErrorCode.CONFLICT, f"The event changed meanwhile (version {event.version}, not {expected}).",
            "input.expectedVersion",
        )


def bump_version(event: Event) -> None:
    """Every change bumps the optimistic version and the iCalendar SEQUENCE."""
    event.version = event.version + 1
    event.sequence = event.sequence + 1
    event.updated_at = datetime.now(UTC)  # set here so the row needs no reload after the flush
