"""Writing the change log and the audit log, inside the caller's transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp
from db.models import AuditLog, ChangeLog


def record_change(
    session: AsyncSession,
    entity_type: str,
    entity_id: int,
    op: ChangeOp,
    payload: dict[str, Any] | None = None,
    *,
    actor_id: int | None = None,
) -> None:
    """Add a change row; it commits (or rolls back) with the data it describes."""
    session.add(
        ChangeLog(entity_type=entity_type, entity_id=entity_id, op=op, payload=payload or {}, actor_id=actor_id)
    )


def record_audit(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_id=actor_id, action=action, entity_type=entity_type, entity_id=entity_id,
            before=before, after=after,
        )
    )
