from __future__ import annotations

import strawberry

from resolvers import notification as resolve
from schema.core.connection import Connection
from schema.notification.types import CalendarPreferenceType, NotificationType


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The signed-in user's notifications that are due, newest first.")
    async def notifications(
        self, info: strawberry.Info, unread_only: bool = False,
        first: int | None = None, after: str | None = None,
    ) -> Connection[NotificationType]:
        return await resolve.notifications(info.context, unread_only=unread_only, first=first, after=after)

    @strawberry.field(description="The signed-in user's calendar and notification preferences.")
    async def calendar_preferences(self, info: strawberry.Info) -> CalendarPreferenceType:
        return await resolve.calendar_preferences(info.context)
