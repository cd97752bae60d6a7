"""Record each change's audience (who may receive it) beside the change.

Audience columns are written by ``db.queries.logs.record_change`` from the entity's
access policy in the same transaction as the write; subscription filters read them.
``former_*`` is the audience before the change, so readers who lost access receive a
removal instead of the new content. Rows written before this revision get an empty
audience (nobody): replaying them can never leak.

Revision ID: 0004_change_audience
Revises: 0003_zero_length_events
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0004_change_audience"
down_revision: str | None = "0003_zero_length_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for prefix, nullable in (("audience", False), ("former", True)):
        op.add_column(
            "change_log",
            sa.Column(f"{prefix}_scope", sa.SmallInteger(), nullable=nullable,
                      server_default=None if nullable else "0"),
        )
        op.add_column(
            "change_log",
            sa.Column(f"{prefix}_user_ids", ARRAY(sa.BigInteger()), nullable=False, server_default="{}"),
        )
        op.add_column(
            "change_log",
            sa.Column(f"{prefix}_roles", ARRAY(sa.String(16)), nullable=False, server_default="{}"),
        )


def downgrade() -> None:
    for prefix in ("audience", "former"):
        for suffix in ("scope", "user_ids", "roles"):
            op.drop_column("change_log", f"{prefix}_{suffix}")
