"""Queries for bookable resources."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select

from db.enums import ResourceKind
from db.models import Resource
from db.policies import Viewer, policy_for
from db.queries.search import contains, search_terms


def resources_query(
    viewer: Viewer,
    *,
    search: str | None = None,
    kinds: Sequence[ResourceKind] | None = None,
    ids: Sequence[int] | None = None,
    is_active: bool | None = None,
    requires_approval: bool | None = None,
) -> Select[Resource]:
    """Resources ``viewer`` may read (``db.policies.resource``), filtered."""
    stmt = policy_for(Resource).select(viewer)
    if (terms := search_terms(search)) is not None:
        stmt = stmt.where(contains(terms, Resource.name, Resource.location))
    if kinds:
        stmt = stmt.where(Resource.kind.in_(list(kinds)))
    if ids is not None:
        stmt = stmt.where(Resource.id.in_(list(ids)))
    if is_active is not None:
        stmt = stmt.where(Resource.is_active.is_(is_active))
    if requires_approval is not None:
        stmt = stmt.where(Resource.requires_approval.is_(requires_approval))
    return stmt.order_by(Resource.name, Resource.id)
