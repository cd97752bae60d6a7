from __future__ import annotations

import strawberry

from db.models import Notification
from resolvers import notification as resolve
from schema.core.connection import Connection
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.notification.types import CalendarPreferenceType, NotificationType

NOTIFICATION_ORDER = sortable("Notification", {"DELIVER_AT": Notification.deliver_at,
                                               "CREATED_AT": Notification.created_at}, Notification.id)


@NOTIFICATION_ORDER.input
class NotificationOrder(OrderInput):
    pass


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The signed-in user's notifications that are due, newest first by default.")
    async def notifications(
        self, info: strawberry.Info, unread_only: bool = False, order_by: NotificationOrder | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[NotificationType]:
        return await resolve.notifications(info.context, unread_only=unread_only, first=first, after=after,
                                           order=lambda stmt: apply_order(stmt, NOTIFICATION_ORDER, order_by))

    @strawberry.field(description="The signed-in user's calendar and notification preferences.")
    async def calendar_preferences(self, info: strawberry.Info) -> CalendarPreferenceType:
        return await resolve.calendar_preferences(info.context)
