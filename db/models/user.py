"""People and teams: users, teams and team memberships."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import Role, TeamRole


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)

    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.STAFF, server_default="STAFF", index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # NULL until the user sets it: the office zone (ALMANAC_TIMEZONE) applies meanwhile.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Every bearer token carries the version it was issued at; a new password bumps it, so the
    # tokens issued before stop working (server.viewer compares them on every lookup).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    # Teams that must hold a mandatory quarterly coordination meeting.
    holds_quarterly_coordination: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default="true"
    )


class TeamMembership(Base):
    __tablename__ = "team_memberships"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[TeamRole] = mapped_column(enum_type(TeamRole), default=TeamRole.MEMBER, server_default="MEMBER")
