"""Calendar sharing: a user (or a team, through its LEADs) grants another user, or a team, a level
of access to their calendar (Google Calendar's ACL roles as the anchor). A team's calendar is
the events filed under it (``events.team_id``). Read and write rules: ``db/policies/sharing.py``."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type


class ShareLevel(enum.StrEnum):
    FREE_BUSY = "FREE_BUSY"  # when the owner is busy, nothing else
    READ = "READ"  # every event in full, PRIVATE ones included
    WRITE = "WRITE"  # READ, and create, change and delete events on the owner's calendar


class CalendarGrant(IdMixin, TimestampMixin, Base):
    __tablename__ = "calendar_grants"
    __table_args__ = (
        CheckConstraint("num_nonnulls(grantee_user_id, grantee_team_id) = 1", name="one_grantee"),
        CheckConstraint("num_nonnulls(owner_id, owner_team_id) = 1", name="one_owner"),
        CheckConstraint("grantee_user_id IS NULL OR grantee_user_id <> owner_id", name="not_to_oneself"),
        Index("uq_calendar_grants_owner_user", "owner_id", "grantee_user_id", unique=True,
              postgresql_where="grantee_user_id IS NOT NULL"),
        Index("uq_calendar_grants_owner_team", "owner_id", "grantee_team_id", unique=True,
              postgresql_where="grantee_team_id IS NOT NULL"),
        Index("uq_calendar_grants_team_owner_user", "owner_team_id", "grantee_user_id", unique=True,
              postgresql_where="grantee_user_id IS NOT NULL"),
        Index("uq_calendar_grants_team_owner_team", "owner_team_id", "grantee_team_id", unique=True,
              postgresql_where="grantee_team_id IS NOT NULL"),
    )

    # Whose calendar: a user's, or a team's (exactly one).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    grantee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    grantee_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    level: Mapped[ShareLevel] = mapped_column(enum_type(ShareLevel))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
