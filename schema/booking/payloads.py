from __future__ import annotations

import strawberry

from schema.booking.types import BookingConflictType, BookingSlotType, BookingType
from schema.core.errors import UserError


@strawberry.type
class CreateBookingPayload:
    booking: BookingType | None = strawberry.field(description="The (first) booking created.")
    bookings: list[BookingType] = strawberry.field(description="Every booking created (one per occurrence).")
    slots: list[BookingSlotType] = strawberry.field(description="The slots asked for, booked or not.")
    conflicts: list[BookingConflictType] = strawberry.field(
        description="Existing bookings that collide with the slots (filled by dry runs and failed requests)."
    )
    dry_run: bool
    errors: list[UserError]


@strawberry.type
class DecideBookingPayload:
    booking: BookingType | None
    errors: list[UserError]


@strawberry.type
class CancelBookingPayload:
    booking: BookingType | None
    errors: list[UserError]
