from __future__ import annotations

import strawberry

from resolvers import booking as create
from resolvers import booking_decision as decide
from schema.booking.inputs import CancelBookingInput, CreateBookingInput, DecideBookingInput
from schema.booking.payloads import CancelBookingPayload, CreateBookingPayload, DecideBookingPayload


@strawberry.type
class BookingMutation:
    @strawberry.mutation(
        description="Book a slot, an event's occurrence, or every occurrence of a recurring event (all or "
        "none). Overlaps with pending/approved bookings (buffers included) answer CONFLICT."
    )
    async def create_booking(self, info: strawberry.Info, input: CreateBookingInput) -> CreateBookingPayload:
        return await create.create_booking(info.context, input)

    @strawberry.mutation(description="Approve or reject a PENDING booking; managers and admins only.")
    async def decide_booking(self, info: strawberry.Info, input: DecideBookingInput) -> DecideBookingPayload:
        return await decide.decide_booking(info.context, input)

    @strawberry.mutation(description="Cancel a pending or approved booking: its requester or a manager.")
    async def cancel_booking(self, info: strawberry.Info, input: CancelBookingInput) -> CancelBookingPayload:
        return await decide.cancel_booking(info.context, input)
