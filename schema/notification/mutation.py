from __future__ import annotations

import strawberry

from resolvers import notification as resolve
from schema.core.mutation_field import mutation_field


@strawberry.type
class NotificationMutation:
    mark_notifications_read = mutation_field(resolve.mark_notifications_read)

    update_calendar_preferences = mutation_field(resolve.update_calendar_preferences)
