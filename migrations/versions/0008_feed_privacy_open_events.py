"""Share links say how their feed shows PRIVATE events; events may be open to all.

``share_links.private_events``: BUSY (the default, also for existing links: a feed
shows PRIVATE events only as busy time), HIDDEN, or OWN_DETAILS (the owner's own
PRIVATE events in full). ``events.open_to_all``: anyone who may read the event may
join it with respondToEvent; otherwise only invited users may respond.

Revision ID: 0008_feed_privacy_open_events
Revises: 0007_lifecycles
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_feed_privacy_open_events"
down_revision: str | None = "0007_lifecycles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "share_links",
        sa.Column("private_events", sa.Enum("BUSY", "HIDDEN", "OWN_DETAILS", name="feedprivacy", native_enum=False,
                                            create_constraint=True, length=32),
                  server_default="BUSY", nullable=False),
    )
    op.add_column("events", sa.Column("open_to_all", sa.Boolean(), server_default="false", nullable=False))


def downgrade() -> None:
    op.drop_column("events", "open_to_all")
    op.drop_column("share_links", "private_events")
