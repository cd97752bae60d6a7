"""The calendar window: lightweight entries with a lazily loaded ``source``.

The root value of a ``CalendarEntry`` is a plain ``db.rules.calendar_entries.CalendarEntry``
(slots dataclass): every scalar resolves by attribute access, and ``source``
loads its object through the per-request by-id loader only when selected, so a
window of 10,000 entries costs no query per entry.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from db.models import Assessment, Booking, Event, Policy, Ppa, PpaMilestone, PpaStageSchedule, Task
from db.rules.calendar_entries import CalendarEntry
from schema.assessment.types import AssessmentType
from schema.booking.types import BookingType
from schema.calendar.enums import CalendarEntryKindEnum, CalendarModuleEnum
from schema.core.errors import DomainError, ErrorCode
from schema.event.types import EventType
from schema.policy.types import PolicyType
from schema.ppa.types import PpaMilestoneType, PpaStageType, PpaType
from schema.task.types import TaskType

CalendarSource = Annotated[
    EventType | TaskType | PpaType | PpaMilestoneType | PpaStageType | AssessmentType | BookingType | PolicyType,
    strawberry.union("CalendarSource", description="What a calendar entry comes from."),
]

# CalendarEntry.source_type -> (ORM model, GraphQL type)
SOURCE_TYPES: dict[str, tuple[type[Any], Any]] = {
    "Event": (Event, EventType),
    "Task": (Task, TaskType),
    "Ppa": (Ppa, PpaType),
    "PpaMilestone": (PpaMilestone, PpaMilestoneType),
    "PpaStage": (PpaStageSchedule, PpaStageType),
    "Assessment": (Assessment, AssessmentType),
    "Booking": (Booking, BookingType),
    "Policy": (Policy, PolicyType),
}


async def resolve_source(root: strawberry.Parent[CalendarEntry], info: strawberry.Info) -> CalendarSource:
    model, gql_type = SOURCE_TYPES[root.source_type]
    row = await info.context.loaders.by_id(model).load(root.source_id)
    if row is None:
        raise DomainError.one(ErrorCode.NOT_FOUND, f"{root.source_type} {root.source_id} no longer exists.")
    result: CalendarSource = gql_type.from_model(row)
    return result


@strawberry.type(name="CalendarEntry", description="One thing on the calendar; a recurring event gives one per occurrence.")
class CalendarEntryType:
    id: strawberry.ID = strawberry.field(description="Stable per occurrence: the same in every window.")
    kind: CalendarEntryKindEnum  # type: ignore[valid-type]
    module: CalendarModuleEnum  # type: ignore[valid-type]
    title: str
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str | None
    recurrence_id: datetime | None = strawberry.field(
        description="Original start of a recurring occurrence (pass it as occurrence to updateEvent); null otherwise."
    )
    source: CalendarSource = strawberry.field(resolver=resolve_source)


@strawberry.type(name="CalendarWindow")
class CalendarWindowType:
    start: datetime
    end: datetime
    entries: list[CalendarEntryType]
