from __future__ import annotations

import strawberry

from resolvers import need as resolve
from schema.core.connection import Connection
from schema.need.inputs import NeedFilter
from schema.need.types import NeedType


@strawberry.type
class NeedQuery:
    @strawberry.field
    async def needs(
        self, info: strawberry.Info, filter: NeedFilter | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[NeedType]:
        return await resolve.resolve_needs(info.context, filter, first, after)
