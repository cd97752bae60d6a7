"""Allow zero-length events and overrides (RFC 5545: DTSTART without DTEND).

Revision ID: 0003_zero_length_events
Revises: 0002_change_log_relay
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_zero_length_events"
down_revision: str | None = "0002_change_log_relay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("ck_events_starts_before_ends", "events", "starts_at {op} ends_at")
OVERRIDES = (
    "ck_event_overrides_override_times",
    "event_overrides",
    "cancelled OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND starts_at {op} ends_at)",
)


def _replace(operator: str) -> None:
    for name, table, condition in (EVENTS, OVERRIDES):
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(name.removeprefix(f"ck_{table}_"), table, condition.format(op=operator))


def upgrade() -> None:
    _replace("<=")


def downgrade() -> None:
    op.execute("DELETE FROM event_overrides WHERE NOT cancelled AND starts_at = ends_at")
    op.execute("DELETE FROM events WHERE starts_at = ends_at")
    _replace("<")
