"""Queries for communities."""
from __future__ import annotations

from sqlalchemy import Select, select

from db.models import Community
from db.queries.search import contains, search_terms


def communities_query(
    *, search: str | None = None, region: str | None = None, province: str | None = None
) -> Select[Community]:
    stmt = select(Community)
    if (terms := search_terms(search)) is not None:
        stmt = stmt.where(contains(terms, Community.name, Community.code))
    if region:
        stmt = stmt.where(Community.region == region)
    if province:
        stmt = stmt.where(Community.province == province)
    return stmt.order_by(Community.name, Community.id)
