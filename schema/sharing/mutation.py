from __future__ import annotations

import strawberry

from resolvers import sharing as resolve
from schema.sharing.inputs import ShareCalendarInput, UnshareCalendarInput
from schema.sharing.payloads import ShareCalendarPayload, UnshareCalendarPayload


@strawberry.type
class SharingMutation:
    @strawberry.mutation(description="Share your calendar with a user or a team at FREE_BUSY, READ or WRITE.")
    async def share_calendar(self, info: strawberry.Info, input: ShareCalendarInput) -> ShareCalendarPayload:
        return await resolve.share_calendar(info.context, input)

    @strawberry.mutation
    async def unshare_calendar(self, info: strawberry.Info, input: UnshareCalendarInput) -> UnshareCalendarPayload:
        return await resolve.unshare_calendar(info.context, input)
