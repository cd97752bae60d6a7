"""Queries for communities."""
from __future__ import annotations

from sqlalchemy import Select, select

from db.models import Community


def communities_query(
    *, search: str | None = None, region: str | None = None, province: str | None = None
) -> Select[Community]:
    stmt = select(Community)
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(Community.name.ilike(pattern) | Community.code.ilike(pattern))
    if region:
        stmt = stmt.where(Community.region == region)
    if province:
        stmt = stmt.where(Community.province == province)
    return stmt.order_by(Community.name, Community.id)
