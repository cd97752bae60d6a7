"""decideBooking and cancelBooking: status transitions on a locked booking row."""
from __future__ import annotations

from datetime import UTC, datetime

from db.enums import BookingStatus, ChangeOp
from db.models import Booking, User
from db.policies.booking import BOOKINGS, DECIDER_ROLES
from db.queries.booking import ACTIVE_STATUSES, lock_booking, readable_booking_ids
from db.queries.logs import record_audit, record_change
from jobs.queue import enqueue
from resolvers import validation as v
from resolvers.booking import change_payload
from resolvers.mutation import not_found, run_mutation
from resolvers.targets import editable_target
from schema.booking.inputs import BookingDecision, CancelBookingInput, DecideBookingInput
from schema.booking.payloads import CancelBookingPayload, DecideBookingPayload
from schema.booking.types import BookingType
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from server.context import Context

DECIDED_STATUS = {BookingDecision.APPROVE: BookingStatus.APPROVED, BookingDecision.REJECT: BookingStatus.REJECTED}


async def decide_booking(ctx: Context, input: DecideBookingInput) -> DecideBookingPayload:
    async def work() -> DecideBookingPayload:
        user = ctx.require_role(*DECIDER_ROLES)
        booking_id = decode_id(input.id, "Booking", field="input.id")
        note = v.text(input.note, "input.note", max_length=1000, required=False)
        booking = await _locked(ctx, user, booking_id)
        if booking.status != BookingStatus.PENDING:
            raise DomainError.one(
                ErrorCode.INVALID_TRANSITION, f"Only PENDING bookings can be decided; this one is {booking.status.value}.",
                "input.id",
            )
        new_status = DECIDED_STATUS[input.decision]
        booking.decided_by_id = user.id
        booking.decided_at = datetime.now(UTC)
        booking.decision_note = note
        await _transition(ctx, booking, user, new_status, action=input.decision.value.lower())
        await ctx.commit()
        await enqueue(ctx, "notify_booking_decision", booking.id)
        return DecideBookingPayload(booking=BookingType.from_model(booking), errors=[])

    return await run_mutation(ctx, work, lambda errors: DecideBookingPayload(booking=None, errors=errors))


async def cancel_booking(ctx: Context, input: CancelBookingInput) -> CancelBookingPayload:
    async def work() -> CancelBookingPayload:
        user = ctx.require_user()
        booking_id = decode_id(input.id, "Booking", field="input.id")
        reason = v.text(input.reason, "input.reason", max_length=1000, required=False)
        booking: Booking = await editable_target(ctx, BOOKINGS, booking_id, "Booking", "input.id", for_update=True)
        if booking.status not in ACTIVE_STATUSES:
            raise DomainError.one(
                ErrorCode.INVALID_TRANSITION, f"Only PENDING or APPROVED bookings can be cancelled; this one is "
                f"{booking.status.value}.", "input.id",
            )
        await _transition(ctx, booking, user, BookingStatus.CANCELLED, action="cancel", reason=reason)
        await ctx.commit()
        return CancelBookingPayload(booking=BookingType.from_model(booking), errors=[])

    return await run_mutation(ctx, work, lambda errors: CancelBookingPayload(booking=None, errors=errors))


async def _locked(ctx: Context, user: User, booking_id: int) -> Booking:
    """The booking, row-locked; NOT_FOUND when missing or unreadable for ``user``."""
    if not await readable_booking_ids(ctx.session, ctx.viewer, [booking_id]):
        raise not_found("Booking", "input.id")
    booking = await lock_booking(ctx.session, booking_id)
    if booking is None:
        raise not_found("Booking", "input.id")
    return booking


async def _transition(
    ctx: Context, booking: Booking, user: User, new_status: BookingStatus, *, action: str, reason: str = ""
) -> None:
    old_status = booking.status
    booking.status = new_status
    booking.version += 1
    await record_change(ctx.session, "Booking", booking.id, ChangeOp.UPDATED, change_payload(booking, updated=True),
                  actor_id=user.id)
    after: dict[str, object] = {"status": new_status.value}
    if reason:
        after["reason"] = reason
    record_audit(ctx.session, actor_id=user.id, action=action, entity_type="Booking", entity_id=booking.id,
                 before={"status": old_status.value}, after=after)
