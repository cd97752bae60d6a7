"""Tasks (the "what"): status, kanban position, assignees, teams, one linked object."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import TaskDomain, TaskPriority, TaskStatus, TemplateKind

# The domain objects a task may be linked to; at most one at a time.
LINK_COLUMNS = ("event_id", "ppa_id", "assessment_id", "policy_id", "need_id", "community_id")


class Task(IdMixin, TimestampMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"num_nonnulls({', '.join(LINK_COLUMNS)}) <= 1", name="one_linked_object"),
        CheckConstraint(
            "estimated_hours IS NULL OR estimated_hours >= 0", name="estimated_hours_nonnegative"
        ),
        CheckConstraint("actual_hours IS NULL OR actual_hours >= 0", name="actual_hours_nonnegative"),
        CheckConstraint(
            "starts_on IS NULL OR due_at IS NULL OR starts_on <= (due_at AT TIME ZONE 'UTC')::date + 1",
            name="starts_before_due",
        ),
        Index("ix_tasks_board", "status", "position"),
        # Idempotent generation from templates: one task per (template item, source object).
        Index(
            "uq_tasks_generation_key",
            "generation_key",
            unique=True,
            postgresql_where="generation_key IS NOT NULL",
        ),
    )

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[TaskStatus] = mapped_column(enum_type(TaskStatus), default=TaskStatus.TODO, server_default="TODO", index=True)
    priority: Mapped[TaskPriority] = mapped_column(
        enum_type(TaskPriority), default=TaskPriority.MEDIUM, server_default="MEDIUM", index=True
    )
    domain: Mapped[TaskDomain] = mapped_column(enum_type(TaskDomain), default=TaskDomain.GENERAL, server_default="GENERAL", index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None] = mapped_column()
    role: Mapped[str] = mapped_column(String(100), default="", server_default="")
    phase: Mapped[str] = mapped_column(String(100), default="", server_default="")
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    actual_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    # Kanban order within a status column (gap-based; rebalanced when gaps run out).
    position: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Optimistic concurrency: every update bumps it; a stale expected version is a CONFLICT.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    rrule: Mapped[str | None] = mapped_column(String(1000))
    # The task of a recurring series this instance was generated from.
    recurrence_parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    generation_key: Mapped[str | None] = mapped_column(String(200))
    template_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_template_items.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    overdue_notified_at: Mapped[datetime | None] = mapped_column()

    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    ppa_id: Mapped[int | None] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )


class TaskAssignee(Base):
    __tablename__ = "task_assignees"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TaskTeam(Base):
    __tablename__ = "task_teams"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TaskTemplate(IdMixin, TimestampMixin, Base):
    __tablename__ = "task_templates"
    __table_args__ = (
        # At most one default template per kind; it drives automatic generation.
        Index("uq_task_templates_default_kind", "kind", unique=True, postgresql_where="is_default"),
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    kind: Mapped[TemplateKind] = mapped_column(enum_type(TemplateKind), index=True)
    is_default: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A retired template is kept (tasks made from it still point at its items) but not used again.
    retired_at: Mapped[datetime | None] = mapped_column()


class TaskTemplateItem(IdMixin, Base):
    __tablename__ = "task_template_items"
    __table_args__ = (
        CheckConstraint("sequence >= 0", name="sequence_nonnegative"),
        CheckConstraint("estimated_hours IS NULL OR estimated_hours >= 0", name="estimated_hours"),
    )

    template_id: Mapped[int] = mapped_column(
        ForeignKey("task_templates.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))  # may hold placeholders like {ppa_title}
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    offset_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    role: Mapped[str] = mapped_column(String(100), default="", server_default="")
    priority: Mapped[TaskPriority] = mapped_column(enum_type(TaskPriority), default=TaskPriority.MEDIUM, server_default="MEDIUM")
    phase: Mapped[str] = mapped_column(String(100), default="", server_default="")
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
