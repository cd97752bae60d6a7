from __future__ import annotations

import strawberry

from resolvers.calendar_import import import_calendar_mutation
from schema.calendar.inputs import ImportCalendarInput
from schema.calendar.payloads import ImportCalendarPayload


@strawberry.type
class CalendarMutation:
    @strawberry.mutation(description="Create or update events by UID (idempotent); bad components are reported, not fatal.")
    async def import_calendar(self, info: strawberry.Info, input: ImportCalendarInput) -> ImportCalendarPayload:
        return await import_calendar_mutation(info.context, input)
