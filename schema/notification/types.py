"""GraphQL types for notifications and calendar preferences."""
from __future__ import annotations

from datetime import datetime, time
from typing import Self

import strawberry
from strawberry import relay

from db.enums import CalendarModule, DeliveryStatus
from db.models import CalendarPreference, Notification
from schema.calendar.enums import CalendarModuleEnum
from schema.core.ids import to_global_id
from schema.core.node import ModelNode

DeliveryStatusEnum = strawberry.enum(DeliveryStatus, name="DeliveryStatus")


@strawberry.type(name="Notification")
class NotificationType(ModelNode):
    model = Notification
    id: relay.NodeID[int]
    kind: str = strawberry.field(description="e.g. event_reminder, task_due_soon, booking_decision.")
    title: str
    body: str
    deliver_at: datetime = strawberry.field(description="When it became (or becomes) due.")
    read_at: datetime | None
    created_at: datetime
    email_status: DeliveryStatusEnum  # type: ignore[valid-type]
    sent_at: datetime | None
    subject_type: str | None = strawberry.field(description="The GraphQL type it is about, e.g. Event.")
    subject_id: strawberry.ID | None = strawberry.field(description="Global id of what it is about.")

    @classmethod
    def from_model(cls, row: Notification) -> Self:
        subject = (
            strawberry.ID(to_global_id(row.subject_type, row.subject_id))
            if row.subject_type and row.subject_id is not None else None
        )
        return cls(
            id=row.id, kind=row.kind, title=row.title, body=row.body, deliver_at=row.deliver_at,
            read_at=row.read_at, created_at=row.created_at, email_status=row.email_status,
            sent_at=row.sent_at, subject_type=row.subject_type, subject_id=subject,
        )

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None


@strawberry.type(name="CalendarPreference")
class CalendarPreferenceType:
    timezone: str
    reminder_offsets: list[int] = strawberry.field(description="Default reminders, minutes before an event.")
    email_enabled: bool
    in_app_enabled: bool
    quiet_hours_start: time | None = strawberry.field(description="Wall time in `timezone`; emails wait.")
    quiet_hours_end: time | None
    week_starts_on: int = strawberry.field(description="0 = Monday ... 6 = Sunday.")
    modules: list[CalendarModuleEnum]  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, row: CalendarPreference) -> Self:
        return cls(
            timezone=row.timezone, reminder_offsets=list(row.reminder_offsets or []),
            email_enabled=row.email_enabled, in_app_enabled=row.in_app_enabled,
            quiet_hours_start=row.quiet_hours_start, quiet_hours_end=row.quiet_hours_end,
            week_starts_on=row.week_starts_on,
            modules=[CalendarModule(m) for m in row.modules or [] if m in CalendarModule.__members__],
        )

    @classmethod
    def defaults(cls, timezone: str) -> Self:
        return cls(
            timezone=timezone, reminder_offsets=[30], email_enabled=True, in_app_enabled=True,
            quiet_hours_start=None, quiet_hours_end=None, week_starts_on=0, modules=[],
        )
