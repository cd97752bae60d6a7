"""GraphQL types for bookings, the slots a createBooking asks for, and conflicts."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from db.enums import BookingStatus
from db.models import Booking, Resource
from schema.core.node import ModelNode, load_node
from schema.user.types import UserType

if TYPE_CHECKING:
    from schema.event.types import EventType
    from schema.resource.types import ResourceType
    from schema.task.types import TaskType

BookingStatusEnum = strawberry.enum(BookingStatus, name="BookingStatus")


@strawberry.type(name="Booking")
class BookingType(ModelNode):
    model = Booking
    id: relay.NodeID[int]
    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime = strawberry.field(description="startsAt minus the resource's buffer before.")
    blocked_until: datetime = strawberry.field(description="endsAt plus the resource's buffer after.")
    status: BookingStatusEnum  # type: ignore[valid-type]
    purpose: str
    decided_at: datetime | None
    decision_note: str
    event_recurrence_id: datetime | None = strawberry.field(
        description="Original start of the booked occurrence of a recurring event."
    )
    created_at: datetime
    _resource_id: strawberry.Private[int]
    _requested_by_id: strawberry.Private[int | None]
    _decided_by_id: strawberry.Private[int | None]
    _event_id: strawberry.Private[int | None]
    _task_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: Booking) -> Self:
        return cls(
            id=row.id, starts_at=row.starts_at, ends_at=row.ends_at, blocked_from=row.blocked_from,
            blocked_until=row.blocked_until, status=row.status, purpose=row.purpose,
            decided_at=row.decided_at, decision_note=row.decision_note,
            event_recurrence_id=row.event_recurrence_id, created_at=row.created_at,
            _resource_id=row.resource_id, _requested_by_id=row.requested_by_id,
            _decided_by_id=row.decided_by_id, _event_id=row.event_id, _task_id=row.task_id,
        )

    @strawberry.field
    async def resource(self, info: strawberry.Info) -> Annotated[ResourceType, strawberry.lazy("schema.resource.types")]:
        from schema.resource.types import ResourceType

        row = await info.context.loaders.by_id(Resource).load(self._resource_id)
        return ResourceType.from_model(row)

    @strawberry.field
    async def requested_by(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._requested_by_id)

    @strawberry.field
    async def decided_by(self, info: strawberry.Info) -> UserType | None:
        return await load_node(info, UserType, self._decided_by_id)

    @strawberry.field(description="The event booked for, if the viewer may read it.")
    async def event(self, info: strawberry.Info) -> Annotated[EventType, strawberry.lazy("schema.event.types")] | None:
        from schema.event.types import EventType

        return await load_node(info, EventType, self._event_id)

    @strawberry.field(description="The task booked for.")
    async def task(self, info: strawberry.Info) -> Annotated[TaskType, strawberry.lazy("schema.task.types")] | None:
        from schema.task.types import TaskType

        return await load_node(info, TaskType, self._task_id)


@strawberry.type(name="BookingSlot", description="A slot createBooking asks for (one per occurrence).")
class BookingSlotType:
    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime
    blocked_until: datetime
    recurrence_id: datetime | None


@strawberry.type(name="BookingConflict", description=(
    "A booking the request collides with. Only bookings the viewer may read are listed; a collision "
    "with one they may not read is reported in errors as the slot being taken, without its id or times."
))
class BookingConflictType:
    slot: BookingSlotType
    booking_id: strawberry.ID = strawberry.field(description="Global id of the colliding booking.")
    booking: BookingType | None = strawberry.field(description="The colliding booking.")
    starts_at: datetime
    ends_at: datetime
    status: BookingStatusEnum  # type: ignore[valid-type]
