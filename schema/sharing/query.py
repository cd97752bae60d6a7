from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers import sharing as resolve
from schema.core.connection import Connection
from schema.sharing.types import CalendarGrantType, FreeBusyType, TeamFreeBusyType


@strawberry.type
class SharingQuery:
    @strawberry.field(description="Grants on your calendar and grants that reach you (directly or by team).")
    async def calendar_grants(self, info: strawberry.Info, first: int | None = None,
                              after: str | None = None) -> Connection[CalendarGrantType]:
        return await resolve.calendar_grants(info.context, first=first, after=after)

    @strawberry.field(description="Busy periods of people whose calendars are shared with you (or yours).")
    async def free_busy(self, info: strawberry.Info, user_ids: list[strawberry.ID], start: datetime,
                        end: datetime) -> list[FreeBusyType]:
        return await resolve.free_busy(info.context, user_ids, start, end)

    @strawberry.field(description="Busy periods of team calendars you are on or that are shared with you.")
    async def team_free_busy(self, info: strawberry.Info, team_ids: list[strawberry.ID], start: datetime,
                             end: datetime) -> list[TeamFreeBusyType]:
        return await resolve.team_free_busy(info.context, team_ids, start, end)
