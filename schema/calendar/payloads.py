from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.core.errors import UserError

if TYPE_CHECKING:
    from schema.calendar.import_types import CalendarImportType


@strawberry.type(name="CalendarImportProblem", description="A component that was not imported, and why.")
class CalendarImportProblemType:
    uid: str = strawberry.field(description="The UID, or 'calendar' / 'component #N' when there is none.")
    reason: str


@strawberry.type
class ImportCalendarPayload:
    created: int
    updated: int
    skipped: int = strawberry.field(description="UIDs already imported with nothing new (or an older SEQUENCE).")
    problems: list[CalendarImportProblemType]
    errors: list[UserError]
    calendar_import: Annotated[
        CalendarImportType, strawberry.lazy("schema.calendar.import_types")
    ] | None = strawberry.field(default=None, description=(
        "Set when the file was too large to import at once: follow it with calendarImport(id)."
    ))
