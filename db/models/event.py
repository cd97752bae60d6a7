"""Calendar events: series with RFC 5545 recurrence, overrides and participants.

A recurring event stores its rule as text (RRULE, RDATE, EXDATE) and is expanded
on read in ``timezone``'s wall time. ``series_ends_at`` is the end of the last
occurrence (NULL for an endless series) so a window query can skip series that
are over without expanding them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Interval,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import CalendarModule, Rsvp, Visibility


class Event(IdMixin, TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("owner_id", "uid"),
        # RFC 5545 allows zero-length events (a DTSTART without DTEND), so <=, not <.
        CheckConstraint("starts_at <= ends_at", name="starts_before_ends"),
        CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint(
            "NOT is_quarterly_coordination OR (quarter IS NOT NULL AND fiscal_year IS NOT NULL)",
            name="quarterly_has_period",
        ),
        # One mandatory quarterly coordination meeting per team and quarter.
        Index(
            "uq_events_quarterly_team_period",
            "team_id",
            "fiscal_year",
            "quarter",
            unique=True,
            postgresql_where="is_quarterly_coordination AND parent_event_id IS NULL",
        ),
        Index("ix_events_window", "starts_at", "series_ends_at"),
        Index("ix_events_series_starts_at", "series_starts_at", postgresql_where="series_starts_at IS NOT NULL"),
    )

    # Unique per owner: two people may import the same invitation, and an import must not
    # learn (from a clash) that someone else holds a UID.
    uid: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    location: Mapped[str] = mapped_column(String(300), default="", server_default="")
    module: Mapped[CalendarModule] = mapped_column(
        enum_type(CalendarModule), default=CalendarModule.COORDINATION, server_default="COORDINATION", index=True
    )
    visibility: Mapped[Visibility] = mapped_column(
        enum_type(Visibility), default=Visibility.INTERNAL, server_default="INTERNAL", index=True
    )
    # Anyone who may read the event may join it with respondToEvent (otherwise: the invited only).
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    rrule: Mapped[str | None] = mapped_column(String(1000))
    rdates: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), default=list, server_default="{}"
    )
    exdates: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), default=list, server_default="{}"
    )
    series_ends_at: Mapped[datetime | None] = mapped_column()
    # Set only when an RDATE or a moved occurrence starts before DTSTART.
    series_starts_at: Mapped[datetime | None] = mapped_column()
    # An imported DURATION of whole days stays nominal (RFC 5545 3.3.6); NULL: ends_at - starts_at exactly.
    nominal_duration: Mapped[timedelta | None] = mapped_column(Interval)
    reminders: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list, server_default="{}")
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    is_quarterly_coordination: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    quarter: Mapped[int | None] = mapped_column(SmallInteger)
    fiscal_year: Mapped[int | None] = mapped_column(SmallInteger)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    # Set on the tail of a series split by a THIS_AND_FOLLOWING edit.
    parent_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )


class EventOverride(IdMixin, Base):
    """One occurrence of a series moved, changed or cancelled (RECURRENCE-ID)."""

    __tablename__ = "event_overrides"
    __table_args__ = (
        UniqueConstraint("event_id", "recurrence_id"),
        CheckConstraint(
            "cancelled OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND starts_at <= ends_at)",
            name="override_times",
        ),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    recurrence_id: Mapped[datetime] = mapped_column()
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    starts_at: Mapped[datetime | None] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(300))


class EventParticipant(Base):
    __tablename__ = "event_participants"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rsvp: Mapped[Rsvp] = mapped_column(enum_type(Rsvp), default=Rsvp.NEEDS_ACTION, server_default="NEEDS_ACTION")
    # NULL until attendance is recorded; set per occurrence-less event or the series.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    responded_at: Mapped[datetime | None] = mapped_column()
