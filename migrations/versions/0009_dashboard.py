"""Coordination dashboard: a PPA's sector and the daily snapshot table.

Revision ID: 0009_dashboard
Revises: 0008_attachments
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_dashboard"
down_revision: str | None = "0008_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ppas", sa.Column("sector", sa.String(100), server_default="", nullable=False))
    op.create_index(op.f("ix_ppas_sector"), "ppas", ["sector"])
    op.create_table(
        "dashboard_snapshots",
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=True),
        sa.Column("ppa_count", sa.Integer(), nullable=False),
        sa.Column("active_ppa_count", sa.Integer(), nullable=False),
        sa.Column("completed_ppa_count", sa.Integer(), nullable=False),
        sa.Column("budget_allocated", sa.Numeric(16, 2), nullable=False),
        sa.Column("budget_approved", sa.Numeric(16, 2), nullable=False),
        sa.Column("average_progress", sa.Numeric(5, 2), nullable=False),
        sa.Column("needs_linked", sa.Integer(), nullable=False),
        sa.Column("needs_addressed", sa.Integer(), nullable=False),
        sa.Column("overdue_tasks", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_dashboard_snapshots_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_snapshots")),
    )
    op.create_index(op.f("ix_dashboard_snapshots_taken_on"), "dashboard_snapshots", ["taken_on"])
    op.create_index(op.f("ix_dashboard_snapshots_team_id"), "dashboard_snapshots", ["team_id"])
    op.create_index("uq_dashboard_snapshots_day_team", "dashboard_snapshots",
                    ["taken_on", sa.text("coalesce(team_id, 0)")], unique=True)


def downgrade() -> None:
    op.drop_table("dashboard_snapshots")
    op.drop_index(op.f("ix_ppas_sector"), table_name="ppas")
    op.drop_column("ppas", "sector")
