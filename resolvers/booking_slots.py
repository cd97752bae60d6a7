"""What a createBooking input asks for: the resource, the links and the slots to book.

One slot for a time range or one event occurrence; with ``allOccurrences`` every
upcoming occurrence of a recurring event, expanded by the recurrence engine over
at most ``ALMANAC_MAX_WINDOW_DAYS`` and refused beyond ``MAX_OCCURRENCES``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from db.enums import BookingStatus
from db.models import Booking, Event, Resource, Task, User
from db.queries.event import overrides_of
from db.rules.availability import Interval, blocked_range
from db.rules.recurrence import (
    ExpansionLimit,
    InvalidRecurrence,
    Occurrence,
    SeriesSpec,
    expand_occurrences,
)
from resolvers import validation as v
from resolvers.mutation import not_found, validation
from resolvers.targets import readable_target
from schema.booking.inputs import CreateBookingInput
from schema.core.ids import decode_id
from server.context import Context

MAX_OCCURRENCES = 500
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RequestedSlot:
    start: datetime
    end: datetime
    blocked: Interval
    recurrence_id: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingRequest:
    resource: Resource
    slots: list[RequestedSlot]
    purpose: str
    event_id: int | None
    task_id: int | None
    field: str  # the input field a conflict is reported on


async def booking_request(ctx: Context, user: User, input: CreateBookingInput, now: datetime) -> BookingRequest:
    resource = await _resource(ctx, input)
    purpose = v.text(input.purpose, "input.purpose", max_length=500, required=False)
    if input.event_id is not None and input.task_id is not None:
        raise validation("Link a booking to an event or a task, not both.", "input.taskId")
    task_id = await _task_id(ctx, input)
    event = await _event(ctx, input)
    times = _times(ctx, input)
    before = timedelta(minutes=resource.buffer_before_minutes)
    after = timedelta(minutes=resource.buffer_after_minutes)

    def slot(start: datetime, end: datetime, recurrence_id: datetime | None = None) -> RequestedSlot:
        start, end = start.astimezone(UTC), end.astimezone(UTC)  # stored and answered in UTC
        return RequestedSlot(start, end, blocked_range(start, end, before=before, after=after), recurrence_id)

    def request(slots: list[RequestedSlot], field: str) -> BookingRequest:
        return BookingRequest(resource, slots, purpose, event.id if event else None, task_id, field)

    if input.all_occurrences:
        if event is None:
            raise validation("allOccurrences needs an eventId.", "input.allOccurrences")
        if times is not None or input.occurrence is not None:
            raise validation("allOccurrences books the event's own times: omit startsAt, endsAt and occurrence.",
                             "input.allOccurrences")
        occurrences = await _upcoming_occurrences(ctx, event, now)
        return request([slot(o.start, o.end, o.recurrence_id) for o in occurrences], "input.allOccurrences")
    if input.occurrence is not None:
        if event is None:
            raise validation("occurrence needs an eventId.", "input.occurrence")
        found = await _occurrence(ctx, event, v.aware(input.occurrence, "input.occurrence"))
        start, end = times if times is not None else (found.start, found.end)
        return request([slot(start, end, found.recurrence_id)], "input.occurrence")
    if times is not None:
        return request([slot(*times)], "input.startsAt")
    if event is None:
        raise validation("Give startsAt and endsAt (or an eventId to book its times).", "input.startsAt")
    if event.rrule or event.rdates:
        raise validation("The event recurs: give occurrence, or allOccurrences: true.", "input.occurrence")
    return request([slot(event.starts_at, event.ends_at)], "input.eventId")


async def _resource(ctx: Context, input: CreateBookingInput) -> Resource:
    resource_id = decode_id(input.resource_id, "Resource", field="input.resourceId")
    resource = await readable_target(ctx, Resource, resource_id, "Resource", "input.resourceId")
    if not resource.is_active:
        raise validation("The resource is not active.", "input.resourceId")
    return resource


async def _task_id(ctx: Context, input: CreateBookingInput) -> int | None:
    if input.task_id is None:
        return None
    task = await readable_target(ctx, Task, decode_id(input.task_id, "Task", field="input.taskId"), "Task", "input.taskId")
    return task.id


async def _event(ctx: Context, input: CreateBookingInput) -> Event | None:
    if input.event_id is None:
        return None
    return await readable_target(ctx, Event, decode_id(input.event_id, "Event", field="input.eventId"), "Event",
                                 "input.eventId")


def _times(ctx: Context, input: CreateBookingInput) -> tuple[datetime, datetime] | None:
    if input.starts_at is None and input.ends_at is None:
        return None
    if input.starts_at is None or input.ends_at is None:
        field = "input.startsAt" if input.starts_at is None else "input.endsAt"
        raise validation("Give both startsAt and endsAt.", field)
    start = v.aware(input.starts_at, "input.startsAt")
    end = v.aware(input.ends_at, "input.endsAt")
    v.ordered(start, end, "input.endsAt")
    if end - start > timedelta(days=ctx.settings.max_window_days):
        raise validation(f"A booking may last at most {ctx.settings.max_window_days} days.", "input.endsAt")
    return start, end


async def _series(ctx: Context, event: Event) -> SeriesSpec:
    return SeriesSpec.from_event(event, await overrides_of(ctx.session, event.id))


async def _upcoming_occurrences(ctx: Context, event: Event, now: datetime) -> list[Occurrence]:
    horizon_start = max(event.starts_at, now)
    horizon_end = horizon_start + timedelta(days=ctx.settings.max_window_days)
    try:
        occurrences = expand_occurrences(await _series(ctx, event), horizon_start, horizon_end)
    except InvalidRecurrence as error:
        raise validation(f"The event's recurrence cannot be expanded: {error}", "input.eventId") from None
    except ExpansionLimit:
        raise validation(
            f"The event has more than {MAX_OCCURRENCES} occurrences in the next "
            f"{ctx.settings.max_window_days} days; book them in parts.", "input.allOccurrences",
        ) from None
    if not occurrences:
        raise validation("The event has no upcoming occurrences to book.", "input.eventId")
    if len(occurrences) > MAX_OCCURRENCES:
        raise validation(
            f"The event has more than {MAX_OCCURRENCES} occurrences in the next "
            f"{ctx.settings.max_window_days} days; book them in parts.", "input.allOccurrences",
        )
    return occurrences


async def _occurrence(ctx: Context, event: Event, recurrence_id: datetime) -> Occurrence:
    series = await _series(ctx, event)
    override = series.overrides.get(recurrence_id)
    try:
        if override is not None and override.start is not None and not override.cancelled:
            candidates = expand_occurrences(series, override.start, override.start + _INSTANT)
        else:
            candidates = expand_occurrences(series, recurrence_id, recurrence_id + _INSTANT)
    except InvalidRecurrence as error:
        raise validation(f"The event's recurrence cannot be expanded: {error}", "input.eventId") from None
    for candidate in candidates:
        if candidate.recurrence_id == recurrence_id:
            return candidate
    raise not_found("Occurrence", "input.occurrence")


def booking_rows(request: BookingRequest, requester: User, status: BookingStatus) -> list[Booking]:
    return [
        Booking(
            resource_id=request.resource.id, starts_at=s.start, ends_at=s.end, blocked_from=s.blocked.start,
            blocked_until=s.blocked.end, status=status, purpose=request.purpose, requested_by_id=requester.id,
            event_id=request.event_id, event_recurrence_id=s.recurrence_id, task_id=request.task_id,
        )
        for s in request.slots
    ]
