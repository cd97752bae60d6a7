"""Communities the office serves, their needs, assessments and policies."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import AssessmentStatus, NeedStatus, PolicyStatus, TaskPriority


class Community(IdMixin, TimestampMixin, Base):
    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
        CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)"
            " AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)",
            name="coordinates",
        ),
        Index("ix_communities_region_province", "region", "province"),
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    region: Mapped[str] = mapped_column(String(200), default="", server_default="")
    province: Mapped[str] = mapped_column(String(200), default="", server_default="")
    municipality: Mapped[str] = mapped_column(String(200), default="", server_default="")
    population: Mapped[int | None] = mapped_column(Integer)
    # WGS 84 degrees, both or neither (the dashboard's map data).
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))


class Assessment(IdMixin, TimestampMixin, Base):
    """A needs assessment with its four milestone dates."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(
            "planning_on IS NULL OR data_collection_on IS NULL OR planning_on <= data_collection_on",
            name="planning_before_collection",
        ),
        CheckConstraint(
            "data_collection_on IS NULL OR analysis_on IS NULL OR data_collection_on <= analysis_on",
            name="collection_before_analysis",
        ),
        CheckConstraint(
            "analysis_on IS NULL OR report_on IS NULL OR analysis_on <= report_on",
            name="analysis_before_report",
        ),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_type(AssessmentStatus), default=AssessmentStatus.PLANNED, server_default="PLANNED", index=True
    )
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    lead_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    planning_on: Mapped[date | None] = mapped_column(Date, index=True)
    data_collection_on: Mapped[date | None] = mapped_column(Date, index=True)
    analysis_on: Mapped[date | None] = mapped_column(Date, index=True)
    report_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Optimistic concurrency: every update bumps it; a stale expected version is a CONFLICT.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Need(IdMixin, TimestampMixin, Base):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("priority_score IS NULL OR priority_score BETWEEN 0 AND 100", name="priority_score_range"),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    category: Mapped[str] = mapped_column(String(100), default="", server_default="", index=True)
    priority: Mapped[TaskPriority] = mapped_column(enum_type(TaskPriority), default=TaskPriority.MEDIUM, server_default="MEDIUM")
    status: Mapped[NeedStatus] = mapped_column(enum_type(NeedStatus), default=NeedStatus.IDENTIFIED, server_default="IDENTIFIED", index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), index=True
    )
    identified_on: Mapped[date | None] = mapped_column(Date)
    # When the status last changed (the quarterly report counts needs ADDRESSED in its quarter).
    status_changed_at: Mapped[datetime | None] = mapped_column()
    # 0-100, set when the need is prioritized (higher is more urgent).
    priority_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # Optimistic concurrency: every update bumps it; a stale expected version is a CONFLICT.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Policy(IdMixin, TimestampMixin, Base):
    __tablename__ = "policies"
    __table_args__ = (
        CheckConstraint(
            "effective_on IS NULL OR review_on IS NULL OR effective_on <= review_on",
            name="effective_before_review",
        ),
    )

    title: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[PolicyStatus] = mapped_column(enum_type(PolicyStatus), default=PolicyStatus.DRAFT, server_default="DRAFT", index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    effective_on: Mapped[date | None] = mapped_column(Date, index=True)
    review_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Optimistic concurrency: every update bumps it; a stale expected version is a CONFLICT.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
