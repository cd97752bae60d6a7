"""Notifications (in-app and email) and each user's calendar preferences."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import DeliveryStatus


class Notification(IdMixin, TimestampMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_due", "deliver_at", postgresql_where="email_status = 'PENDING'"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What it is about, as (type, id), e.g. ("Event", 12).
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    # Exactly-once effect: one notification per key, however often a job runs.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    deliver_at: Mapped[datetime] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()
    email_status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus), default=DeliveryStatus.PENDING, server_default="PENDING"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()


class CalendarPreference(TimestampMixin, Base):
    __tablename__ = "calendar_preferences"
    __table_args__ = (
        CheckConstraint("week_starts_on BETWEEN 0 AND 6", name="week_starts_on_range"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    modules: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list, server_default="{}")
    # Minutes before an event to remind; quarterly meetings add 7 days and 1 day.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=lambda: [30], server_default="{30}"
    )
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    in_app_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    week_starts_on: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
