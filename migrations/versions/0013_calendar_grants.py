"""Calendar sharing: grants of FREE_BUSY, READ or WRITE on a user's calendar to a user or a team.

Revision ID: 0013_calendar_grants
Revises: 0012_feed_privacy_open_events
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_calendar_grants"
down_revision: str | None = "0012_feed_privacy_open_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_grants",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("grantee_user_id", sa.BigInteger(), nullable=True),
        sa.Column("grantee_team_id", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("num_nonnulls(grantee_user_id, grantee_team_id) = 1", name="ck_calendar_grants_one_grantee"),
        sa.CheckConstraint("grantee_user_id IS NULL OR grantee_user_id <> owner_id",
                           name="ck_calendar_grants_not_to_oneself"),
        sa.CheckConstraint("level IN ('FREE_BUSY', 'READ', 'WRITE')", name="ck_calendar_grants_sharelevel"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE", name="fk_calendar_grants_owner_id_users"),
        sa.ForeignKeyConstraint(["grantee_user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_calendar_grants_grantee_user_id_users"),
        sa.ForeignKeyConstraint(["grantee_team_id"], ["teams.id"], ondelete="CASCADE",
                                name="fk_calendar_grants_grantee_team_id_teams"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name="fk_calendar_grants_created_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_grants"),
    )
    for column in ("owner_id", "grantee_user_id", "grantee_team_id"):
        op.create_index(f"ix_calendar_grants_{column}", "calendar_grants", [column])
    op.create_index("uq_calendar_grants_owner_user", "calendar_grants", ["owner_id", "grantee_user_id"], unique=True,
                    postgresql_where=sa.text("grantee_user_id IS NOT NULL"))
    op.create_index("uq_calendar_grants_owner_team", "calendar_grants", ["owner_id", "grantee_team_id"], unique=True,
                    postgresql_where=sa.text("grantee_team_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_table("calendar_grants")
