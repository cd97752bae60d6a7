"""Daily snapshots of the coordination dashboard's per-MAO figures, for trend charts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin


class DashboardSnapshot(IdMixin, TimestampMixin, Base):
    """One row per day and team; ``team_id`` NULL is the office-wide total."""

    __tablename__ = "dashboard_snapshots"
    __table_args__ = (
        Index("uq_dashboard_snapshots_day_team", "taken_on", text("coalesce(team_id, 0)"), unique=True),
    )

    taken_on: Mapped[date] = mapped_column(Date, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    ppa_count: Mapped[int] = mapped_column(Integer)
    active_ppa_count: Mapped[int] = mapped_column(Integer)
    completed_ppa_count: Mapped[int] = mapped_column(Integer)
    budget_allocated: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    budget_approved: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    average_progress: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    needs_linked: Mapped[int] = mapped_column(Integer)
    needs_addressed: Mapped[int] = mapped_column(Integer)
    overdue_tasks: Mapped[int] = mapped_column(Integer)
