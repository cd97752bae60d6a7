from __future__ import annotations

import strawberry

from schema.calendar.enums import CalendarModuleEnum


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Your notifications to mark.")
    all: bool = strawberry.field(default=False, description="Mark every unread notification of yours.")


@strawberry.input(description="Only the fields given change.")
class UpdateCalendarPreferencesInput:
    timezone: str | None = None
    reminder_offsets: list[int] | None = strawberry.field(
        default=None, description="Minutes before an event, each 0..86400 (60 days), at most 10."
    )
    email_enabled: bool | None = None
    in_app_enabled: bool | None = None
    quiet_hours_start: str | None = strawberry.field(
        default=None, description="Wall time HH:MM in your time zone; give both start and end."
    )
    quiet_hours_end: str | None = None
    clear_quiet_hours: bool = False
    week_starts_on: int | None = None
    modules: list[CalendarModuleEnum] | None = None  # type: ignore[valid-type]
