from __future__ import annotations

import strawberry

from resolvers import booking as create
from resolvers import booking_decision as decide
from schema.core.mutation_field import mutation_field


@strawberry.type
class BookingMutation:
    create_booking = mutation_field(
        create.create_booking,
        description="Book a slot, an event's occurrence, or every occurrence of a recurring event (all or "
        "none). Overlaps with pending/approved bookings (buffers included) answer CONFLICT.",
    )

    decide_booking = mutation_field(
        decide.decide_booking, description="Approve or reject a PENDING booking; managers and admins only.")

    cancel_booking = mutation_field(
        decide.cancel_booking, description="Cancel a pending or approved booking: its requester or a manager.")
