from __future__ import annotations

import strawberry


@strawberry.input
class ImportCalendarInput:
    ics: str = strawberry.field(description="An iCalendar (RFC 5545) document.")
