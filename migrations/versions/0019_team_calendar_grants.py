"""A team as grantor: ``calendar_grants.owner_team_id`` (a grant on the team's calendar).

Revision ID: 0019_team_calendar_grants
Revises: 0018_api_key_teams
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_team_calendar_grants"
down_revision: str | None = "0018_api_key_teams"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calendar_grants", sa.Column("owner_team_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key("fk_calendar_grants_owner_team_id_teams", "calendar_grants", "teams", ["owner_team_id"],
                          ["id"], ondelete="CASCADE")
    op.create_index("ix_calendar_grants_owner_team_id", "calendar_grants", ["owner_team_id"])
    op.alter_column("calendar_grants", "owner_id", nullable=True)
    op.create_check_constraint("ck_calendar_grants_one_owner", "calendar_grants",
                               "num_nonnulls(owner_id, owner_team_id) = 1")
    op.create_index("uq_calendar_grants_team_owner_user", "calendar_grants", ["owner_team_id", "grantee_user_id"],
                    unique=True, postgresql_where=sa.text("grantee_user_id IS NOT NULL"))
    op.create_index("uq_calendar_grants_team_owner_team", "calendar_grants", ["owner_team_id", "grantee_team_id"],
                    unique=True, postgresql_where=sa.text("grantee_team_id IS NOT NULL"))


def downgrade() -> None:
    op.execute("DELETE FROM calendar_grants WHERE owner_team_id IS NOT NULL")
    op.drop_index("uq_calendar_grants_team_owner_team", "calendar_grants")
    op.drop_index("uq_calendar_grants_team_owner_user", "calendar_grants")
    op.drop_constraint("ck_calendar_grants_one_owner", "calendar_grants", type_="check")
    op.alter_column("calendar_grants", "owner_id", nullable=False)
    op.drop_index("ix_calendar_grants_owner_team_id", "calendar_grants")
    op.drop_constraint("fk_calendar_grants_owner_team_id_teams", "calendar_grants", type_="foreignkey")
    op.drop_column("calendar_grants", "owner_team_id")
