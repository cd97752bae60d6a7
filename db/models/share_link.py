"""Share links: a secret token that serves a filtered read-only iCalendar feed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import FeedPrivacy


class ShareLink(IdMixin, TimestampMixin, Base):
    __tablename__ = "share_links"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    modules: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list, server_default="{}")
    community_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    resource_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list, server_default="{}")
    # How the feed shows PRIVATE events (db/policies/feed.py); by default only as busy time.
    private_events: Mapped[FeedPrivacy] = mapped_column(
        enum_type(FeedPrivacy), default=FeedPrivacy.BUSY, server_default=FeedPrivacy.BUSY.value
    )
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
