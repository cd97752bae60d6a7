from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.event.types import EventOverrideType, EventParticipantType, EventType


@strawberry.type
class CreateEventPayload:
    event: EventType | None
    errors: list[UserError]


@strawberry.type
class UpdateEventPayload:
    event: EventType | None = strawberry.field(
        description="The series now holding the edited occurrences (the new tail after THIS_AND_FOLLOWING)."
    )
    override: EventOverrideType | None = strawberry.field(description="The occurrence written by a THIS edit.")
    errors: list[UserError]


@strawberry.type
class DeleteEventPayload:
    deleted_event_id: strawberry.ID | None = strawberry.field(description="Set when the whole event is gone.")
    event: EventType | None = strawberry.field(description="What remains of the series, if anything.")
    errors: list[UserError]


@strawberry.type
class RespondToEventPayload:
    event: EventType | None
    participant: EventParticipantType | None
    errors: list[UserError]


@strawberry.type
class RecordAttendancePayload:
    event: EventType | None
    participants: list[EventParticipantType]
    errors: list[UserError]
