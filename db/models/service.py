"""The public service catalog: curated services and the requests the public submits."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin, TimestampMixin, enum_type
from db.enums import ServiceRequestStatus, ServiceStatus


class Service(IdMixin, TimestampMixin, Base):
    __tablename__ = "services"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    eligibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    requirements: Mapped[str] = mapped_column(Text, default="", server_default="")
    procedure: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[ServiceStatus] = mapped_column(enum_type(ServiceStatus), default=ServiceStatus.DRAFT,
                                                  server_default="DRAFT", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ServicePpa(Base):
    __tablename__ = "service_ppas"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    ppa_id: Mapped[int] = mapped_column(ForeignKey("ppas.id", ondelete="CASCADE"), primary_key=True, index=True)


class ServiceRequest(IdMixin, TimestampMixin, Base):
    """Submitted by anyone; its tracking code is the requester's only handle on it."""

    __tablename__ = "service_requests"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="SET NULL"), index=True)
    details: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ServiceRequestStatus] = mapped_column(
        enum_type(ServiceRequestStatus), default=ServiceRequestStatus.SUBMITTED, server_default="SUBMITTED",
        index=True)
    staff_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
