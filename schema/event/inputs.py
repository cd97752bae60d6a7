from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from db.enums import CalendarModule, Visibility
from schema.calendar.enums import CalendarModuleEnum
from schema.event.types import RsvpEnum, VisibilityEnum


@strawberry.enum(name="EventScope", description="Which occurrences of a recurring event a change applies to.")
class EventScope(enum.Enum):
    THIS = "THIS"
    THIS_AND_FOLLOWING = "THIS_AND_FOLLOWING"
    ALL = "ALL"


@strawberry.input
class CreateEventInput:
    title: str
    start: datetime
    end: datetime
    description: str = ""
    location: str = ""
    all_day: bool = False
    timezone: str = strawberry.field(default="UTC", description="IANA name; recurrence expands in its wall time.")
    rrule: str | None = strawberry.field(default=None, description="RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO.")
    rdates: list[datetime] | None = None
    exdates: list[datetime] | None = None
    reminders: list[int] | None = strawberry.field(default=None, description="Minutes before each occurrence.")
    participant_ids: list[strawberry.ID] | None = None
    module: CalendarModuleEnum = CalendarModule.COORDINATION  # type: ignore[valid-type]
    visibility: VisibilityEnum = Visibility.INTERNAL  # type: ignore[valid-type]
    open_to_all: bool = strawberry.field(
        default=False, description="Anyone who may read it may join with respondToEvent (otherwise: the invited)."
    )
    team_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    is_quarterly_coordination: bool = False
    quarter: int | None = None
    fiscal_year: int | None = None
    calendar_owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Create the event on this user's calendar (you need WRITE on it, see shareCalendar)."
    )


@strawberry.input(description="Fields left out stay as they are; for THIS only times, title, description, location apply.")
class UpdateEventInput:
    id: strawberry.ID
    scope: EventScope = EventScope.ALL
    occurrence: datetime | None = strawberry.field(default=None, description="The recurrenceId for THIS / THIS_AND_FOLLOWING.")
    expected_version: int | None = None
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    start: datetime | None = strawberry.UNSET
    end: datetime | None = strawberry.UNSET
    all_day: bool | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    rrule: str | None = strawberry.UNSET
    rdates: list[datetime] | None = strawberry.UNSET
    exdates: list[datetime] | None = strawberry.UNSET
    reminders: list[int] | None = strawberry.UNSET
    participant_ids: list[strawberry.ID] | None = strawberry.UNSET
    module: CalendarModuleEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    visibility: VisibilityEnum | None = strawberry.UNSET  # type: ignore[valid-type]
    open_to_all: bool | None = strawberry.UNSET
    team_id: strawberry.ID | None = strawberry.UNSET
    community_id: strawberry.ID | None = strawberry.UNSET
    is_quarterly_coordination: bool | None = strawberry.UNSET
    quarter: int | None = strawberry.UNSET
    fiscal_year: int | None = strawberry.UNSET


@strawberry.input
class DeleteEventInput:
    id: strawberry.ID
    scope: EventScope = EventScope.ALL
    occurrence: datetime | None = None


@strawberry.input
class RespondToEventInput:
    event_id: strawberry.ID
    rsvp: RsvpEnum  # type: ignore[valid-type]


@strawberry.input
class AttendanceInput:
    user_id: strawberry.ID
    attended: bool


@strawberry.input
class RecordAttendanceInput:
    event_id: strawberry.ID
    attendance: list[AttendanceInput]


@strawberry.input
class EventFilter:
    start: datetime | None = strawberry.field(default=None, description="Series with an occurrence in [start, end).")
    end: datetime | None = None
    modules: list[CalendarModuleEnum] | None = None  # type: ignore[valid-type]
    team_ids: list[strawberry.ID] | None = None
    community_ids: list[strawberry.ID] | None = None
    participant_ids: list[strawberry.ID] | None = None
    search: str | None = None
