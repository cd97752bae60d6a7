"""GraphQL types for bookable resources and their free/busy answer."""
from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from dataloaders.resource import ResourceBookingsKey, bookings_by_resource_key
from db.enums import ResourceKind
from db.models import Resource
from resolvers.booking_query import window_of
from schema.booking.inputs import BookingWindowInput
from schema.booking.types import BookingStatusEnum, BookingType
from schema.core.connection import Connection, paginate_list
from schema.core.node import ModelNode

ResourceKindEnum = strawberry.enum(ResourceKind, name="ResourceKind")


@strawberry.type(name="Resource")
class ResourceType(ModelNode):
    model = Resource
    id: relay.NodeID[int]
    name: str
    kind: ResourceKindEnum  # type: ignore[valid-type]
    description: str
    location: str
    capacity: int | None
    requires_approval: bool
    buffer_before_minutes: int = strawberry.field(description="Kept free before every booking.")
    buffer_after_minutes: int = strawberry.field(description="Kept free after every booking.")
    is_active: bool
    version: int = strawberry.field(default=1, description="Pass it back as expectedVersion when updating.")

    @classmethod
    def from_model(cls, row: Resource) -> Self:
        return cls(
            id=row.id, name=row.name, kind=row.kind, description=row.description, location=row.location,
            capacity=row.capacity, requires_approval=row.requires_approval,
            buffer_before_minutes=row.buffer_before_minutes, buffer_after_minutes=row.buffer_after_minutes,
            is_active=row.is_active, version=row.version,
        )

    @strawberry.field(description="Bookings of this resource the viewer may read, in time order.")
    async def bookings(
        self,
        info: strawberry.Info,
        window: BookingWindowInput | None = None,
        status: list[BookingStatusEnum] | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BookingType]:
        info.context.require_user()
        key = ResourceBookingsKey(
            resource_id=self.id,
            window=window_of(window, "window") if window is not None else None,
            statuses=tuple(status or ()),
        )
        rows = await info.context.loaders.of(bookings_by_resource_key).load(key)
        return paginate_list(rows, first=first, after=after, to_node=BookingType.from_model)


@strawberry.type(name="BusyInterval")
class BusyIntervalType:
    start: datetime
    end: datetime
    booking_ids: list[strawberry.ID] = strawberry.field(
        description="Bookings making up this block that the viewer may read (others are left out)."
    )


@strawberry.type(name="FreeInterval", description="Times a new booking's slot can occupy (buffers considered).")
class FreeIntervalType:
    start: datetime
    end: datetime


@strawberry.type(name="ResourceAvailability")
class ResourceAvailabilityType:
    resource: ResourceType
    busy: list[BusyIntervalType]
    free: list[FreeIntervalType]
