"""Calendar enums, shared by events, the calendar window and subscriptions.

Import them from here (each GraphQL enum is defined once).
"""
from __future__ import annotations

import strawberry

from db.enums import CalendarModule
from db.rules.calendar_entries import EntryKind

CalendarModuleEnum = strawberry.enum(CalendarModule, name="CalendarModule")
CalendarEntryKindEnum = strawberry.enum(EntryKind, name="CalendarEntryKind")
