from __future__ import annotations

import strawberry

from resolvers import notification as resolve
from schema.notification.inputs import MarkNotificationsReadInput, UpdateCalendarPreferencesInput
from schema.notification.payloads import (
    MarkNotificationsReadPayload,
    UpdateCalendarPreferencesPayload,
)


@strawberry.type
class NotificationMutation:
    @strawberry.mutation
    async def mark_notifications_read(
        self, info: strawberry.Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        return await resolve.mark_notifications_read(info.context, input)

    @strawberry.mutation
    async def update_calendar_preferences(
        self, info: strawberry.Info, input: UpdateCalendarPreferencesInput
    ) -> UpdateCalendarPreferencesPayload:
        return await resolve.update_calendar_preferences(info.context, input)
