from __future__ import annotations

import strawberry

from resolvers import event as resolve
from resolvers.event_delete import delete_event
from resolvers.event_update import update_event
from schema.event.inputs import (
    CreateEventInput,
    DeleteEventInput,
    RecordAttendanceInput,
    RespondToEventInput,
    UpdateEventInput,
)
from schema.event.payloads import (
    CreateEventPayload,
    DeleteEventPayload,
    RecordAttendancePayload,
    RespondToEventPayload,
    UpdateEventPayload,
)


@strawberry.type
class EventMutation:
    @strawberry.mutation
    async def create_event(self, info: strawberry.Info, input: CreateEventInput) -> CreateEventPayload:
        return await resolve.create_event(info.context, input)

    @strawberry.mutation(description="scope THIS | THIS_AND_FOLLOWING | ALL with occurrence = the recurrenceId.")
    async def update_event(self, info: strawberry.Info, input: UpdateEventInput) -> UpdateEventPayload:
        return await update_event(info.context, input)

    @strawberry.mutation(description="scope THIS | THIS_AND_FOLLOWING | ALL with occurrence = the recurrenceId.")
    async def delete_event(self, info: strawberry.Info, input: DeleteEventInput) -> DeleteEventPayload:
        return await delete_event(info.context, input)

    @strawberry.mutation
    async def respond_to_event(self, info: strawberry.Info, input: RespondToEventInput) -> RespondToEventPayload:
        return await resolve.respond_to_event(info.context, input)

    @strawberry.mutation(description="Managers, admins or the event's owner.")
    async def record_attendance(self, info: strawberry.Info, input: RecordAttendanceInput) -> RecordAttendancePayload:
        return await resolve.record_attendance(info.context, input)
