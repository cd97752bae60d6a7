"""Files attached to events (or one occurrence), tasks, PPAs, assessments and service requests.

The bytes live in a storage backend (``server/storage.py``) under ``storage_key``; this
row is the only thing that makes them reachable. Storage keys without a row (an upload
that crashed before its commit, a parent deleted with its attachments by CASCADE) are
removed by ``jobs/attachments.sweep_orphan_files``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin


class Attachment(IdMixin, TimestampMixin, Base):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("num_nonnulls(event_id, task_id, ppa_id, assessment_id, service_request_id) = 1",
                        name="one_parent"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        CheckConstraint("occurrence IS NULL OR event_id IS NOT NULL", name="occurrence_of_an_event"),
    )

    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # An attachment of one occurrence of a recurring event: that occurrence's original start.
    occurrence: Mapped[datetime | None] = mapped_column()
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    ppa_id: Mapped[int | None] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    service_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes, never the client's word
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    is_photo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
