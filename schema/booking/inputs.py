"""Inputs for bookings: filters, the window, and the mutations' inputs."""
from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from schema.booking.types import BookingStatusEnum


@strawberry.enum(name="BookingDecision")
class BookingDecision(enum.Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


@strawberry.input(name="BookingWindow", description="Half-open time window [start, end).")
class BookingWindowInput:
    start: datetime
    end: datetime


@strawberry.input
class BookingFilter:
    resource_ids: list[strawberry.ID] | None = None
    status: list[BookingStatusEnum] | None = None  # type: ignore[valid-type]
    window: BookingWindowInput | None = None
    requester_id: strawberry.ID | None = None
    event_id: strawberry.ID | None = None


@strawberry.input
class CreateBookingInput:
    resource_id: strawberry.ID
    starts_at: datetime | None = strawberry.field(
        default=None, description="Slot start; optional when booking an event's own times."
    )
    ends_at: datetime | None = None
    purpose: str = ""
    event_id: strawberry.ID | None = strawberry.field(
        default=None, description="Book for this event (its times when startsAt/endsAt are omitted)."
    )
    occurrence: datetime | None = strawberry.field(
        default=None, description="recurrenceId of the one occurrence of a recurring event to book."
    )
    all_occurrences: bool = strawberry.field(
        default=False,
        description="Book every upcoming occurrence of the recurring event (all or none; bounded by "
        "ALMANAC_MAX_WINDOW_DAYS and 500 occurrences).",
    )
    task_id: strawberry.ID | None = None
    dry_run: bool = strawberry.field(default=False, description="Report conflicts; book nothing.")


@strawberry.input
class DecideBookingInput:
    id: strawberry.ID
    decision: BookingDecision
    note: str = ""


@strawberry.input
class CancelBookingInput:
    id: strawberry.ID
    reason: str = ""
