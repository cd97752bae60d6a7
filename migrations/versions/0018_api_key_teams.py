"""API keys scoped to teams: ``api_keys.team_ids`` (NULL: every team).

Revision ID: 0018_api_key_teams
Revises: 0017_user_token_version
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_api_key_teams"
down_revision: str | None = "0017_user_token_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("team_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True))


def downgrade() -> None:
    op.drop_column("api_keys", "team_ids")
