"""users.token_version: a password change revokes the bearer tokens issued before it.

Revision ID: 0017_user_token_version
Revises: 0016_service_request_attachments
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_user_token_version"
down_revision: str | None = "0016_service_request_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tokens issued before this revision carry no version and count as 0: they stay valid until
    # their owner's next password change.
    op.add_column("users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("users", "token_version")
