"""Share links say how their feed shows PRIVATE events; events may be open to all; event
UIDs are unique per owner.

``share_links.private_events``: BUSY (the default, also for existing links: a feed
shows PRIVATE events only as busy time), HIDDEN, or OWN_DETAILS (the owner's own
PRIVATE events in full). ``events.open_to_all``: anyone who may read the event may
join it with respondToEvent; otherwise only invited users may respond. ``events.uid``
is unique per owner (``uq_events_owner_id_uid``) instead of globally: two people may
import the same invitation, and an import no longer fails (revealing that someone
holds the UID) when another user's event has it.

Revision ID: 0012_feed_privacy_open_events
Revises: 0011_partner_api
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_feed_privacy_open_events"
down_revision: str | None = "0011_partner_api"
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
    op.drop_constraint("uq_events_uid", "events", type_="unique")
    op.create_unique_constraint("uq_events_owner_id_uid", "events", ["owner_id", "uid"])
    op.create_index("ix_events_uid", "events", ["uid"])


def downgrade() -> None:
    op.drop_index("ix_events_uid", table_name="events")
    op.drop_constraint("uq_events_owner_id_uid", "events", type_="unique")
    op.create_unique_constraint("uq_events_uid", "events", ["uid"])
    op.drop_column("events", "open_to_all")
    op.drop_column("share_links", "private_events")
