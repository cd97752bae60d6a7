"""Attachments on events (or one occurrence), tasks, PPAs and assessments.

Revision ID: 0008_attachments
Revises: 0007_lifecycles
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_attachments"
down_revision: str | None = "0007_lifecycles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _parent(table: str) -> sa.Column[int]:
    return sa.Column(f"{table[:-1]}_id", sa.BigInteger(), sa.ForeignKey(f"{table}.id", ondelete="CASCADE",
                     name=f"fk_attachments_{table[:-1]}_id_{table}"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        _parent("events"),
        sa.Column("occurrence", sa.DateTime(timezone=True), nullable=True),
        _parent("tasks"),
        _parent("ppas"),
        _parent("assessments"),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("is_photo", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("has_thumbnail", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("uploaded_by_id", sa.BigInteger(),
                  sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_attachments_uploaded_by_id_users"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("num_nonnulls(event_id, task_id, ppa_id, assessment_id) = 1",
                           name="ck_attachments_one_parent"),
        sa.CheckConstraint("size_bytes >= 0", name="ck_attachments_size_not_negative"),
        sa.CheckConstraint("occurrence IS NULL OR event_id IS NOT NULL", name="ck_attachments_occurrence_of_an_event"),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("storage_key", name="uq_attachments_storage_key"),
    )
    for column in ("event_id", "task_id", "ppa_id", "assessment_id", "uploaded_by_id"):
        op.create_index(f"ix_attachments_{column}", "attachments", [column])


def downgrade() -> None:
    op.drop_table("attachments")
