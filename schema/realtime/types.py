"""What subscriptions push: one change with its cursor, op and the fresh object."""
from __future__ import annotations

import strawberry

from db.enums import ChangeOp
from schema.booking.types import BookingType
from schema.calendar.types import CalendarEntryType
from schema.ppa.types import PpaType
from schema.task.types import TaskType

ChangeOpEnum = strawberry.enum(ChangeOp, name="ChangeOp")

CURSOR_DESCRIPTION = "Pass it back as `after` to resume right after this change."


@strawberry.type(name="CalendarChange", description="A source's entries in the subscribed window after a change.")
class CalendarChangeType:
    cursor: str = strawberry.field(description=CURSOR_DESCRIPTION)
    op: ChangeOpEnum  # type: ignore[valid-type]
    source_type: str = strawberry.field(description="What changed: Event, Task, Ppa, PpaMilestone, PpaStage, Assessment, Booking.")
    source_id: strawberry.ID = strawberry.field(description="Global id of what changed.")
    entries: list[CalendarEntryType] = strawberry.field(
        description="The changed source's entries that are in the window now (added or changed)."
    )
    removed_entry_ids: list[strawberry.ID] = strawberry.field(
        description="Ids of the source's entries that left the window."
    )


@strawberry.type(name="TaskChange")
class TaskChangeType:
    cursor: str = strawberry.field(description=CURSOR_DESCRIPTION)
    op: ChangeOpEnum  # type: ignore[valid-type]
    task_id: strawberry.ID
    task: TaskType | None = strawberry.field(description="The task as it is now; null once deleted.")


@strawberry.type(name="PpaChange")
class PpaChangeType:
    cursor: str = strawberry.field(description=CURSOR_DESCRIPTION)
    op: ChangeOpEnum  # type: ignore[valid-type]
    ppa_id: strawberry.ID
    ppa: PpaType | None = strawberry.field(description="The PPA as it is now; null once deleted.")


@strawberry.type(name="BookingChange")
class BookingChangeType:
    cursor: str = strawberry.field(description=CURSOR_DESCRIPTION)
    op: ChangeOpEnum  # type: ignore[valid-type]
    booking_id: strawberry.ID
    booking: BookingType | None = strawberry.field(description="The booking as it is now; null once deleted.")
