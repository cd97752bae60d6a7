"""Queries for policies."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, select

from db.enums import PolicyStatus
from db.models import Policy, PpaPolicy
from db.policies import ANONYMOUS, Viewer, policy_for
from db.queries.search import contains, search_terms


@dataclass(slots=True)
class PolicyCriteria:
    viewer: Viewer = ANONYMOUS  # reads only the policies the viewer may (db.policies.policy)
    statuses: list[PolicyStatus] | None = None
    community_ids: list[int] | None = None
    owner_ids: list[int] | None = None
    ppa_id: int | None = None
    search: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    review_from: date | None = None
    review_to: date | None = None


def policy_conditions(c: PolicyCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [policy_for(Policy).readable(c.viewer)]
    if c.statuses:
        conditions.append(Policy.status.in_(c.statuses))
    if c.community_ids:
        conditions.append(Policy.community_id.in_(c.community_ids))
    if c.owner_ids:
        conditions.append(Policy.owner_id.in_(c.owner_ids))
    if c.ppa_id is not None:
        conditions.append(exists().where(PpaPolicy.policy_id == Policy.id, PpaPolicy.ppa_id == c.ppa_id))
    if (search := search_terms(c.search)) is not None:
        conditions.append(contains(search, Policy.title, Policy.code, Policy.description))
    if c.effective_from is not None:
        conditions.append(Policy.effective_on >= c.effective_from)
    if c.effective_to is not None:
        conditions.append(Policy.effective_on <= c.effective_to)
    if c.review_from is not None:
        conditions.append(Policy.review_on >= c.review_from)
    if c.review_to is not None:
        conditions.append(Policy.review_on <= c.review_to)
    return conditions


def policies_query(criteria: PolicyCriteria) -> Select[Policy]:
    return select(Policy).where(*policy_conditions(criteria)).order_by(Policy.title, Policy.id)
