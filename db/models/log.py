"""The change log (source of subscriptions) and the audit log (who changed what).

A mutation writes change rows in its own transaction. ``position`` stays NULL
until the relay publishes the row; the relay numbers rows in the order it sees
them commit, so a cursor (a position) never skips a row that committed late.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, enum_type
from db.enums import ChangeOp


class ChangeLog(IdMixin, Base):
    __tablename__ = "change_log"
    __table_args__ = (
        Index("uq_change_log_position", "position", unique=True),
        Index("ix_change_log_unpublished", "id", postgresql_where="position IS NULL"),
    )

    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[ChangeOp] = mapped_column(enum_type(ChangeOp))
    # What subscribers filter on (window, modules, owner, visibility...), not the whole row.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    # Who may receive the change (db.policies.audience.Audience), from the entity's policy.
    audience_scope: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    audience_user_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    audience_roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default="{}")
    # Who could read the object before the change: those not in the new audience get a removal.
    former_scope: Mapped[int | None] = mapped_column(SmallInteger)
    former_user_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    former_roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default="{}")


class AuditLog(IdMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
