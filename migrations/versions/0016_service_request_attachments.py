"""Attachments on service requests: a fifth parent column, still exactly one parent per row.

Revision ID: 0016_service_request_attachments
Revises: 0015_service_catalog
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_service_request_attachments"
down_revision: str | None = "0015_service_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attachments", sa.Column(
        "service_request_id", sa.BigInteger(),
        sa.ForeignKey("service_requests.id", ondelete="CASCADE",
                      name="fk_attachments_service_request_id_service_requests"),
        nullable=True))
    op.create_index("ix_attachments_service_request_id", "attachments", ["service_request_id"])
    # 0008 named it through the naming convention twice; it gets the model's name now.
    op.drop_constraint(op.f("ck_attachments_ck_attachments_one_parent"), "attachments", type_="check")
    op.create_check_constraint(
        op.f("ck_attachments_one_parent"), "attachments",
        "num_nonnulls(event_id, task_id, ppa_id, assessment_id, service_request_id) = 1")


def downgrade() -> None:
    op.execute("DELETE FROM attachments WHERE service_request_id IS NOT NULL")
    op.drop_constraint(op.f("ck_attachments_one_parent"), "attachments", type_="check")
    op.create_check_constraint(op.f("ck_attachments_ck_attachments_one_parent"), "attachments",
                               "num_nonnulls(event_id, task_id, ppa_id, assessment_id) = 1")
    op.drop_index("ix_attachments_service_request_id", table_name="attachments")
    op.drop_column("attachments", "service_request_id")
