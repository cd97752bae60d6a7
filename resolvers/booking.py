"""createBooking: the exclusion constraint is the guard, queries only explain it.

All slots (one, or every occurrence of a series) are inserted in one statement
inside a savepoint. PostgreSQL's ``no_overlapping_bookings`` rejects an overlap
with SQLSTATE 23P01, also against a racing transaction that committed first;
the savepoint is then rolled back and one query names the colliding bookings.
A dry run runs that query without inserting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import strawberry
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from db.enums import BookingStatus, CalendarModule, ChangeOp
from db.models import Booking, Resource, User
from db.queries.booking import colliding_bookings, readable_booking_ids
from db.queries.logs import record_audit, record_change
from db.rules.availability import first_overlap
from resolvers.booking_slots import BookingRequest, RequestedSlot, booking_request, booking_rows
from resolvers.mutation import run_mutation, sqlstate
from schema.booking.inputs import CreateBookingInput
from schema.booking.payloads import CreateBookingPayload
from schema.booking.types import BookingConflictType, BookingSlotType, BookingType
from schema.core.errors import DomainError, ErrorCode, UserError
from schema.core.ids import to_global_id
from server.context import Context

EXCLUSION_VIOLATION = "23P01"



async def create_booking(ctx: Context, input: CreateBookingInput) -> CreateBookingPayload:
    async def work() -> CreateBookingPayload:
        user = ctx.require_writer()
        request = await booking_request(ctx, user, input, now=datetime.now(UTC))
        _refuse_self_overlap(request)
        slots = [_slot_type(s) for s in request.slots]
        if input.dry_run:
            found = await _collisions(ctx, request)
            errors = _conflict_errors(request, found)
            await ctx.session.rollback()
            return _payload(slots=slots, conflicts=found.shown, dry_run=True, errors=errors)
        status = BookingStatus.PENDING if request.resource.requires_approval else BookingStatus.APPROVED
        rows = booking_rows(request, user, status)
        try:
            await _insert(ctx, request.resource.id, rows)
        except IntegrityError as error:
            if sqlstate(error) != EXCLUSION_VIOLATION:
                raise
            found = await _collisions(ctx, request)
            errors = _conflict_errors(request, found) or [UserError(
                code=ErrorCode.CONFLICT, field=request.field,
                message="Overlaps another pending or approved booking of this resource; try again.",
            )]
            await ctx.session.rollback()
            return _payload(slots=slots, conflicts=found.shown, errors=errors)
        for row in rows:
            await _log_created(ctx, row, user)
        await ctx.commit()
        ctx.loaders.prime(Resource, [request.resource])
        ctx.loaders.prime(User, [user])
        booked = [BookingType.from_model(row) for row in rows]
        return _payload(booking=booked[0], bookings=booked, slots=slots)

    return await run_mutation(ctx, work, lambda errors: _payload(errors=errors, dry_run=input.dry_run))


async def _insert(ctx: Context, resource_id: int, rows: list[Booking]) -> None:
    """Insert inside a savepoint, one request per resource at a time.

    The exclusion constraint alone is a correct guard, but racers that each wait on the
    other's uncommitted row deadlock (40P01, ~1 s each to detect) instead of one seeing
    23P01. A transaction-level advisory lock per resource queues them: the first commits,
    the rest meet its committed row and get the named exclusion violation at once."""
    await ctx.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"booking:{resource_id}"}
    )
    async with ctx.session.begin_nested():
        ctx.session.add_all(rows)
        await ctx.session.flush()


def _payload(
    *,
    booking: BookingType | None = None,
    bookings: list[BookingType] | None = None,
    slots: list[BookingSlotType] | None = None,
    conflicts: list[BookingConflictType] | None = None,
    dry_run: bool = False,
    errors: list[UserError] | None = None,
) -> CreateBookingPayload:
    return CreateBookingPayload(
        booking=booking, bookings=bookings or [], slots=slots or [], conflicts=conflicts or [],
        dry_run=dry_run, errors=errors or [],
    )


def _slot_type(slot: RequestedSlot) -> BookingSlotType:
    return BookingSlotType(
        starts_at=slot.start, ends_at=slot.end, blocked_from=slot.blocked.start,
        blocked_until=slot.blocked.end, recurrence_id=slot.recurrence_id,
    )


def _refuse_self_overlap(request: BookingRequest) -> None:
    pair = first_overlap([s.blocked for s in request.slots])
    if pair is not None:
        first, second = (request.slots[i] for i in pair)
        raise DomainError.one(
            ErrorCode.CONFLICT,
            f"Occurrences at {first.start.isoformat()} and {second.start.isoformat()} overlap each other "
            "once the resource's buffers are added.",
            request.field,
        )


@dataclass(frozen=True, slots=True)
class Collisions:
    """What a request collides with, as the caller may learn it.

    Bookings the caller may read (``db.policies.booking``) are named with their id and
    times; for the others only the requested slot is reported as taken, so a CONFLICT
    never reveals a private booking's id, times or existence beyond "busy".
    """

    shown: list[BookingConflictType]
    hidden_slots: list[int]  # indexes into the request's slots, each once


async def _collisions(ctx: Context, request: BookingRequest) -> Collisions:
    found = await colliding_bookings(ctx.session, request.resource.id, [s.blocked for s in request.slots])
    readable = await readable_booking_ids(ctx.session, ctx.viewer, list({b.id for _, b in found}))
    shown = [
        BookingConflictType(
            slot=_slot_type(request.slots[index]),
            booking_id=strawberry.ID(to_global_id("Booking", booking.id)),
            booking=BookingType.from_model(booking),
            starts_at=booking.starts_at, ends_at=booking.ends_at, status=booking.status,
        )
        for index, booking in found if booking.id in readable
    ]
    hidden = sorted({index for index, booking in found if booking.id not in readable})
    return Collisions(shown, hidden)


def _conflict_errors(request: BookingRequest, found: Collisions) -> list[UserError]:
    many = len(request.slots) > 1

    def asked(start: datetime) -> str:
        return f"The occurrence at {start.isoformat()}" if many else "The slot"

    errors = []
    for conflict in found.shown:
        status = BookingStatus(conflict.status)
        errors.append(UserError(
            code=ErrorCode.CONFLICT,
            field=request.field,
            message=(
                f"{asked(conflict.slot.starts_at)} collides with booking {conflict.booking_id} ({status.value}, "
                f"{conflict.starts_at.isoformat()} to {conflict.ends_at.isoformat()}) of "
                f"{request.resource.name}, buffers included."
            ),
        ))
    for index in found.hidden_slots:
        errors.append(UserError(
            code=ErrorCode.CONFLICT, field=request.field,
            message=f"{asked(request.slots[index].start)} is taken: {request.resource.name} is already booked then, "
                    "buffers included.",
        ))
    return errors


def change_payload(booking: Booking, *, updated: bool = False) -> dict[str, object]:
    """The change-log payload; an update keeps the span, so ``old_*`` repeat it."""
    payload: dict[str, object] = {
        "module": CalendarModule.RESOURCES.value,
        "resource_id": booking.resource_id,
        "start": booking.starts_at.isoformat(),
        "end": booking.ends_at.isoformat(),
        "status": booking.status.value,
        "owner_id": booking.requested_by_id,
        "event_id": booking.event_id,
        "task_id": booking.task_id,
    }
    if updated:
        payload["old_start"] = payload["start"]
        payload["old_end"] = payload["end"]
    return payload


async def _log_created(ctx: Context, booking: Booking, user: User) -> None:
    await record_change(ctx.session, "Booking", booking.id, ChangeOp.CREATED, change_payload(booking), actor_id=user.id)
    record_audit(
        ctx.session, actor_id=user.id, action="create", entity_type="Booking", entity_id=booking.id,
        after={"resource_id": booking.resource_id, "starts_at": booking.starts_at.isoformat(),
               "ends_at": booking.ends_at.isoformat(), "status": booking.status.value},
    )
