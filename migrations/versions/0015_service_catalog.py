"""Public service catalog: services, their PPAs, requests from the public; the SERVICES module.

Revision ID: 0015_service_catalog
Revises: 0014_calendar_imports
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_service_catalog"
down_revision: str | None = "0014_calendar_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODULES = ("COORDINATION", "MANA", "PROJECTS", "TASKS", "RESOURCES", "POLICY", "COMMUNITY")


def timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.drop_constraint(op.f("ck_events_calendarmodule"), "events", type_="check")
    op.create_check_constraint("calendarmodule", "events", f"module IN {(*MODULES, 'SERVICES')}")
    op.create_table(
        "services",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_team_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("eligibility", sa.Text(), server_default="", nullable=False),
        sa.Column("requirements", sa.Text(), server_default="", nullable=False),
        sa.Column("procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("contact", sa.String(500), server_default="", nullable=False),
        sa.Column("status", sa.Enum("DRAFT", "PUBLISHED", "RETIRED", name="servicestatus", native_enum=False,
                                    create_constraint=True, length=32), server_default="DRAFT", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["owner_team_id"], ["teams.id"], name=op.f("fk_services_owner_team_id_teams"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("name", name=op.f("uq_services_name")),
    )
    op.create_index(op.f("ix_services_owner_team_id"), "services", ["owner_team_id"])
    op.create_index(op.f("ix_services_status"), "services", ["status"])
    op.create_table(
        "service_ppas",
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("ppa_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_service_ppas_service_id_services"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ppa_id"], ["ppas.id"], name=op.f("fk_service_ppas_ppa_id_ppas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", "ppa_id", name=op.f("pk_service_ppas")),
    )
    op.create_index(op.f("ix_service_ppas_ppa_id"), "service_ppas", ["ppa_id"])
    op.create_table(
        "service_requests",
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("tracking_code", sa.String(32), nullable=False),
        sa.Column("requester_name", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(300), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Enum("SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "COMPLETED",
                                    name="servicerequeststatus", native_enum=False, create_constraint=True,
                                    length=32), server_default="SUBMITTED", nullable=False),
        sa.Column("staff_note", sa.Text(), server_default="", nullable=False),
        sa.Column("handled_by_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"],
                                name=op.f("fk_service_requests_service_id_services"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_service_requests_community_id_communities"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"],
                                name=op.f("fk_service_requests_handled_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_service_requests_tracking_code")),
    )
    op.create_index(op.f("ix_service_requests_service_id"), "service_requests", ["service_id"])
    op.create_index(op.f("ix_service_requests_community_id"), "service_requests", ["community_id"])
    op.create_index(op.f("ix_service_requests_status"), "service_requests", ["status"])


def downgrade() -> None:
    op.drop_table("service_requests")
    op.drop_table("service_ppas")
    op.drop_table("services")
    op.execute("UPDATE events SET module = 'COMMUNITY' WHERE module = 'SERVICES'")
    op.drop_constraint(op.f("ck_events_calendarmodule"), "events", type_="check")
    op.create_check_constraint("calendarmodule", "events", f"module IN {MODULES}")
