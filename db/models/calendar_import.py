"""A large iCalendar import run by the ``import_calendar_file`` job, with its progress."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin


class CalendarImport(IdMixin, TimestampMixin, Base):
    __tablename__ = "calendar_imports"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="QUEUED", server_default="QUEUED")
    # The file until the job has read it; cleared when the import ends.
    data: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # VEVENTs in the file
    processed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # series stored so far
    created: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    finished_at: Mapped[datetime | None] = mapped_column()
