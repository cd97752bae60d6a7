"""Events: the first start of a series and a nominal DURATION; users' own time zone.

``series_starts_at`` is set when an RDATE or a moved occurrence starts before
DTSTART (NULL otherwise), so a window before DTSTART still finds the series.
``nominal_duration`` keeps an imported DURATION of whole days nominal (RFC 5545
3.3.6: P1D is one calendar day, 23 or 25 hours across DST), NULL when the length
is exact (DTEND).

``users.timezone`` becomes NULL until a user sets it (``setMyTimezone``): imports
and other per-user defaults then use the office zone (``ALMANAC_TIMEZONE``). The
old default 'UTC' was never chosen by anyone, so it becomes NULL.

Revision ID: 0005_event_series_starts
Revises: 0004_change_audience
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_event_series_starts"
down_revision: str | None = "0004_change_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("series_starts_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("events", sa.Column("nominal_duration", sa.Interval(), nullable=True))
    op.create_index(
        "ix_events_series_starts_at", "events", ["series_starts_at"],
        postgresql_where=sa.text("series_starts_at IS NOT NULL"),
    )
    op.execute(
        "UPDATE events SET series_starts_at = first.at FROM ("
        " SELECT e.id, LEAST((SELECT min(r) FROM unnest(e.rdates) r),"
        "  (SELECT min(o.starts_at) FROM event_overrides o WHERE o.event_id = e.id AND NOT o.cancelled)) AS at"
        " FROM events e) AS first WHERE first.id = events.id AND first.at < events.starts_at"
    )


    op.alter_column("users", "timezone", nullable=True, server_default=None)
    op.execute("UPDATE users SET timezone = NULL WHERE timezone = 'UTC'")


def downgrade() -> None:
    op.execute("UPDATE users SET timezone = 'UTC' WHERE timezone IS NULL")
    op.alter_column("users", "timezone", nullable=False, server_default="UTC")
    op.drop_index("ix_events_series_starts_at", table_name="events")
    op.drop_column("events", "nominal_duration")
    op.drop_column("events", "series_starts_at")
