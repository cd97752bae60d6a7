"""Partner integrations: API keys (read-only, scoped) and the webhooks that push changes to them.

A key's secret is shown once and stored as its SHA-256 (a 256-bit random secret needs no slow
hash); a webhook's signing secret is stored as is, since every delivery is signed with it.
Deliveries are rows (one per webhook and change position), so a crash between sending and
recording only causes a retry with the same idempotency key: at least once, never lost.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type


class ApiModule(enum.StrEnum):
    """What an API key may read (it can never write)."""

    CALENDAR = "CALENDAR"
    TASKS = "TASKS"
    PROJECTS = "PROJECTS"
    MANA = "MANA"
    RESOURCES = "RESOURCES"
    DIRECTORY = "DIRECTORY"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"  # gave up after the last retry: the dead-letter view lists these


class ApiKey(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # shown in lists and /metrics
    secret_sha256: Mapped[str] = mapped_column(String(64))
    modules: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    # NULL: every team's records; otherwise only those belonging to these teams (Viewer.team_ids).
    # No foreign key (an array): a deleted team's id then matches nothing, so the key never widens.
    team_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    requests_per_minute: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


class Webhook(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhooks"

    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    signing_secret: Mapped[str] = mapped_column(String(100))
    entity_types: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    # Changes up to this change-log position have been turned into deliveries.
    last_position: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class WebhookDelivery(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "position", name="uq_webhook_deliveries_webhook_position"),)

    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(BigInteger)  # the change-log position delivered
    body: Mapped[str] = mapped_column(Text)  # exactly the bytes signed and sent, for retries
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), default=DeliveryStatus.PENDING,
                                                   server_default="PENDING", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    delivered_at: Mapped[datetime | None] = mapped_column()

    @property
    def idempotency_key(self) -> str:
        return f"{self.webhook_id}:{self.position}"
