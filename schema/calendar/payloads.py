from __future__ import annotations

import strawberry

from schema.core.errors import UserError


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
