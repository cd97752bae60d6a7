from __future__ import annotations

import strawberry

from resolvers import user_timezone as resolve
from schema.user.inputs import SetMyTimezoneInput
from schema.user.payloads import SetMyTimezonePayload


@strawberry.type
class UserMutation:
    @strawberry.mutation(description="Set or clear your own time zone (floating times of your imports use it).")
    async def set_my_timezone(self, info: strawberry.Info, input: SetMyTimezoneInput) -> SetMyTimezonePayload:
        return await resolve.set_my_timezone(info.context, input)
