from __future__ import annotations

import strawberry

from schema.core.errors import UserError
from schema.notification.types import CalendarPreferenceType, NotificationType


@strawberry.type
class MarkNotificationsReadPayload:
    notifications: list[NotificationType] = strawberry.field(description="The notifications now marked read.")
    unread_count: int
    errors: list[UserError]


@strawberry.type
class UpdateCalendarPreferencesPayload:
    calendar_preferences: CalendarPreferenceType | None
    errors: list[UserError]
