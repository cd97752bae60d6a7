"""change log relay: position sequence, publish watermark, commit wake-up

- ``change_log_position_seq`` numbers change rows in the order the relay sees them
  commit (only the relay leader calls ``nextval`` on it).
- ``change_log_published_seq`` is a one-value register (``setval``/``last_value``):
  the highest position the relay has published on Redis. It is non-transactional
  on purpose and survives a relay crash, so a new leader resumes publishing where
  the old one stopped. Standalone sequences are invisible to ``alembic check``.
- A statement-level trigger sends ``NOTIFY almanac_change_log`` when change rows are
  inserted; PostgreSQL delivers it at commit, so the relay leader (which LISTENs)
  wakes up for commits made by any process, job or script.

Revision ID: 0002_change_log_relay
Revises: 0001
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_change_log_relay"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE change_log_position_seq AS bigint START WITH 1 MINVALUE 1")
    # Continue after any positions already given out (e.g. by an earlier relay design).
    op.execute(
        "SELECT setval('change_log_position_seq', max(position)) FROM change_log WHERE position IS NOT NULL"
    )
    op.execute("CREATE SEQUENCE change_log_published_seq AS bigint START WITH 0 MINVALUE 0")
    op.execute(
        "SELECT setval('change_log_published_seq', max(position)) FROM change_log WHERE position IS NOT NULL"
    )
    op.execute(
        """
        CREATE FUNCTION almanac_change_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('almanac_change_log', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER change_log_notify AFTER INSERT ON change_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION almanac_change_log_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS change_log_notify ON change_log")
    op.execute("DROP FUNCTION IF EXISTS almanac_change_log_notify()")
    op.execute("DROP SEQUENCE IF EXISTS change_log_published_seq")
    op.execute("DROP SEQUENCE IF EXISTS change_log_position_seq")
