from __future__ import annotations

import strawberry


@strawberry.input
class SetMyTimezoneInput:
    timezone: str | None = strawberry.field(
        description="An IANA zone such as Asia/Manila; null goes back to the office zone."
    )
