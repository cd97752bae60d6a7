from __future__ import annotations

import strawberry

from resolvers.booking_query import list_bookings
from schema.booking.inputs import BookingFilter
from schema.booking.types import BookingType
from schema.core.connection import Connection


@strawberry.type
class BookingQuery:
    @strawberry.field(description="Bookings the viewer may read, in time order.")
    async def bookings(
        self, info: strawberry.Info, filter: BookingFilter | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[BookingType]:
        return await list_bookings(info.context, filter, first, after)
