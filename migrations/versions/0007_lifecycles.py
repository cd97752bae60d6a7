"""Lifecycles: optimistic versions on needs, assessments, policies, resources and task
templates; a need's PRIORITIZED status and priority score; retired templates; archived PPAs.

Revision ID: 0007_lifecycles
Revises: 0006_office_administration
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_lifecycles"
down_revision: str | None = "0006_office_administration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("needs", "assessments", "policies", "resources", "task_templates")
NEED_STATUSES = ("IDENTIFIED", "VALIDATED", "PRIORITIZED", "ADDRESSED", "CLOSED")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("needs", sa.Column("priority_score", sa.Numeric(5, 2), nullable=True))
    op.create_check_constraint("priority_score_range", "needs",
                               "priority_score IS NULL OR priority_score BETWEEN 0 AND 100")
    op.drop_constraint(op.f("ck_needs_needstatus"), "needs", type_="check")
    op.create_check_constraint("needstatus", "needs", f"status IN {NEED_STATUSES}")
    op.add_column("task_templates", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("ppas", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("ppas", "archived_at")
    op.drop_column("task_templates", "retired_at")
    op.execute("UPDATE needs SET status = 'VALIDATED' WHERE status = 'PRIORITIZED'")
    op.drop_constraint(op.f("ck_needs_needstatus"), "needs", type_="check")
    op.create_check_constraint("needstatus", "needs", "status IN ('IDENTIFIED', 'VALIDATED', 'ADDRESSED', 'CLOSED')")
    op.drop_constraint(op.f("ck_needs_priority_score_range"), "needs", type_="check")
    op.drop_column("needs", "priority_score")
    for table in VERSIONED:
        op.drop_column(table, "version")
