"""Meeting minutes, decisions and action items; quarterly MAO reports; when a need's status changed.

Revision ID: 0010_meetings_and_reports
Revises: 0009_dashboard
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_meetings_and_reports"
down_revision: str | None = "0009_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.add_column("needs", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "meeting_minutes",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *timestamps(),
        fk("event_id", "meeting_minutes", "events", "CASCADE"),
        fk("recorded_by_id", "meeting_minutes", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_minutes")),
        sa.UniqueConstraint("event_id", name=op.f("uq_meeting_minutes_event_id")),
    )
    op.create_table(
        "meeting_decisions",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Enum("DECISION", "ACTION_ITEM", name="decisionkind", native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        *timestamps(),
        fk("event_id", "meeting_decisions", "events", "CASCADE"),
        fk("assignee_id", "meeting_decisions", "users", "SET NULL"),
        fk("task_id", "meeting_decisions", "tasks", "SET NULL"),
        fk("created_by_id", "meeting_decisions", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decisions")),
    )
    op.create_index(op.f("ix_meeting_decisions_event_id"), "meeting_decisions", ["event_id"])
    op.create_index(op.f("ix_meeting_decisions_task_id"), "meeting_decisions", ["task_id"])
    op.create_table(
        "quarterly_reports",
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("PENDING", "READY", "FAILED", name="reportstatus", native_enum=False,
                                    create_constraint=True, length=32), server_default="PENDING", nullable=False),
        sa.Column("requested_by_id", sa.BigInteger(), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(2000), nullable=True),
        sa.Column("csv", sa.Text(), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        *timestamps(),
        fk("team_id", "quarterly_reports", "teams", "CASCADE"),
        fk("requested_by_id", "quarterly_reports", "users", "SET NULL"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f("ck_quarterly_reports_quarter_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarterly_reports")),
    )
    op.create_index("uq_quarterly_reports_team_period", "quarterly_reports", ["team_id", "fiscal_year", "quarter"],
                    unique=True)


def downgrade() -> None:
    op.drop_table("quarterly_reports")
    op.drop_table("meeting_decisions")
    op.drop_table("meeting_minutes")
    op.drop_column("needs", "status_changed_at")
