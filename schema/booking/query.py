from __future__ import annotations

import strawberry

from db.models import Booking
from resolvers.booking_query import list_bookings
from schema.booking.inputs import BookingFilter
from schema.booking.types import BookingType
from schema.core.connection import Connection
from schema.core.ordering import OrderInput, apply_order, sortable

BOOKING_ORDER = sortable("Booking", {"STARTS_AT": Booking.starts_at, "ENDS_AT": Booking.ends_at,
                                     "CREATED_AT": Booking.created_at}, Booking.id)


@BOOKING_ORDER.input
class BookingOrder(OrderInput):
    pass


@strawberry.type
class BookingQuery:
    @strawberry.field(description="Bookings the viewer may read, in time order unless orderBy says otherwise.")
    async def bookings(
        self, info: strawberry.Info, filter: BookingFilter | None = None, order_by: BookingOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[BookingType]:
        return await list_bookings(info.context, filter, first, after,
                                   order=lambda stmt: apply_order(stmt, BOOKING_ORDER, order_by))
