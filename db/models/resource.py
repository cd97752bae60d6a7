"""Bookable resources (vehicles, rooms, equipment) and their bookings.

Two PENDING or APPROVED bookings of one resource can never overlap: an
exclusion constraint over the blocked range (the slot plus the resource's
buffers) enforces it in PostgreSQL, whatever races happen above it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import BookingStatus, ResourceKind


class Resource(IdMixin, TimestampMixin, Base):
    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers"),
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[ResourceKind] = mapped_column(enum_type(ResourceKind), index=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    location: Mapped[str] = mapped_column(String(300), default="", server_default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Booking(IdMixin, TimestampMixin, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint(
            "blocked_from <= starts_at AND blocked_until >= ends_at", name="blocked_covers_slot"
        ),
        CheckConstraint("num_nonnulls(event_id, task_id) <= 1", name="one_linked_object"),
        ExcludeConstraint(
            ("resource_id", "="),
            (text("tstzrange(blocked_from, blocked_until, '[)')"), "&&"),
            name="no_overlapping_bookings",
            using="gist",
            where=text("status IN ('PENDING', 'APPROVED')"),
        ),
    )

    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    # The slot widened by the resource's buffers at booking time.
    blocked_from: Mapped[datetime] = mapped_column()
    blocked_until: Mapped[datetime] = mapped_column()
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus), default=BookingStatus.PENDING, server_default="PENDING", index=True
    )
    purpose: Mapped[str] = mapped_column(String(500), default="", server_default="")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # Original start of the occurrence booked, for bookings of a recurring event.
    event_recurrence_id: Mapped[datetime | None] = mapped_column()
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
