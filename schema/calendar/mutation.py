from __future__ import annotations

import strawberry

from resolvers.calendar_import import import_calendar_mutation
from schema.core.mutation_field import mutation_field


@strawberry.type
class CalendarMutation:
    import_calendar = mutation_field(
        import_calendar_mutation,
        description="Create or update events by UID (idempotent); bad components are reported, not fatal.",
    )
