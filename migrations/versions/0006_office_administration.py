"""Office administration: where a community is (province, municipality, coordinates).

Coordinates are optional (the dashboard's heat map uses them where known); both or
neither are set, each within its range.

Revision ID: 0006_office_administration
Revises: 0005_event_series_starts
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_office_administration"
down_revision: str | None = "0005_event_series_starts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("communities", sa.Column("province", sa.String(200), server_default="", nullable=False))
    op.add_column("communities", sa.Column("municipality", sa.String(200), server_default="", nullable=False))
    op.add_column("communities", sa.Column("latitude", sa.Numeric(9, 6), nullable=True))
    op.add_column("communities", sa.Column("longitude", sa.Numeric(9, 6), nullable=True))
    op.create_check_constraint(
        "coordinates", "communities",
        "(latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)"
        " AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)",
    )
    op.create_index("ix_communities_region_province", "communities", ["region", "province"])


def downgrade() -> None:
    op.drop_index("ix_communities_region_province", table_name="communities")
    op.drop_constraint(op.f("ck_communities_coordinates"), "communities", type_="check")
    for column in ("longitude", "latitude", "municipality", "province"):
        op.drop_column("communities", column)
