"""PPAs (programs, projects, activities: the "why and how") and their history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import (
    BudgetDecision,
    BudgetStage,
    BudgetStatus,
    PpaCategory,
    PpaStage,
    PpaStatus,
    TransitionKind,
)


class Ppa(IdMixin, TimestampMixin, Base):
    __tablename__ = "ppas"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on", name="starts_before_ends"),
        CheckConstraint("budget_allocated >= 0", name="budget_allocated_nonnegative"),
        CheckConstraint(
            "budget_approved IS NULL OR budget_approved >= 0", name="budget_approved_nonnegative"
        ),
    )

    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    category: Mapped[PpaCategory] = mapped_column(enum_type(PpaCategory), index=True)
    status: Mapped[PpaStatus] = mapped_column(enum_type(PpaStatus), default=PpaStatus.ACTIVE, server_default="ACTIVE", index=True)
    stage: Mapped[PpaStage] = mapped_column(
        enum_type(PpaStage), default=PpaStage.NEED_IDENTIFICATION, server_default="NEED_IDENTIFICATION", index=True
    )
    stage_entered_at: Mapped[datetime] = mapped_column(server_default=func.now())
    budget_stage: Mapped[BudgetStage] = mapped_column(
        enum_type(BudgetStage), default=BudgetStage.PREPARATION, server_default="PREPARATION"
    )
    budget_status: Mapped[BudgetStatus] = mapped_column(
        enum_type(BudgetStatus), default=BudgetStatus.NOT_SUBMITTED, server_default="NOT_SUBMITTED", index=True
    )
    budget_allocated: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0, server_default="0")
    budget_approved: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    starts_on: Mapped[date | None] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The service sector it serves (health, water, education...): the dashboard's overlap
    # and gap analyses compare it with needs' categories.
    sector: Mapped[str] = mapped_column(String(100), default="", server_default="", index=True)
    # Archived PPAs leave the default lists and the calendar; nothing else about them changes.
    archived_at: Mapped[datetime | None] = mapped_column()
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    lead_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class PpaMilestone(IdMixin, TimestampMixin, Base):
    __tablename__ = "ppa_milestones"

    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    completed_at: Mapped[datetime | None] = mapped_column()


class PpaStageSchedule(IdMixin, Base):
    """Planned dates of a workflow or budget stage (e.g. the budget hearing), for the calendar."""

    __tablename__ = "ppa_stage_schedules"
    __table_args__ = (
        UniqueConstraint("ppa_id", "kind", "stage"),
        CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),
    )

    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TransitionKind] = mapped_column(enum_type(TransitionKind))
    stage: Mapped[str] = mapped_column(String(32))  # a PpaStage or BudgetStage value, per kind
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)


class PpaTransition(IdMixin, Base):
    """Every stage move and budget decision: who, when, from, to and why."""

    __tablename__ = "ppa_transitions"

    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TransitionKind] = mapped_column(enum_type(TransitionKind))
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    decision: Mapped[BudgetDecision | None] = mapped_column(enum_type(BudgetDecision))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


class PpaNeed(Base):
    __tablename__ = "ppa_needs"

    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PpaPolicy(Base):
    __tablename__ = "ppa_policies"

    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
