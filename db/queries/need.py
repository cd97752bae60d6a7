"""Queries for needs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, select

from db.enums import NeedStatus, TaskPriority
from db.models import Need, PpaNeed
from db.policies import ANONYMOUS, Viewer, policy_for
from db.queries.search import contains, search_terms


@dataclass(slots=True)
class NeedCriteria:
    viewer: Viewer = ANONYMOUS  # reads only the needs the viewer may (db.policies.need)
    statuses: list[NeedStatus] | None = None
    priorities: list[TaskPriority] | None = None
    community_ids: list[int] | None = None
    assessment_id: int | None = None
    ppa_id: int | None = None
    category: str | None = None
    search: str | None = None
    identified_from: date | None = None
    identified_to: date | None = None


def need_conditions(c: NeedCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [policy_for(Need).readable(c.viewer)]
    if c.statuses:
        conditions.append(Need.status.in_(c.statuses))
    if c.priorities:
        conditions.append(Need.priority.in_(c.priorities))
    if c.community_ids:
        conditions.append(Need.community_id.in_(c.community_ids))
    if c.assessment_id is not None:
        conditions.append(Need.assessment_id == c.assessment_id)
    if c.ppa_id is not None:
        conditions.append(exists().where(PpaNeed.need_id == Need.id, PpaNeed.ppa_id == c.ppa_id))
    if c.category:
        conditions.append(Need.category == c.category)
    if (search := search_terms(c.search)) is not None:
        conditions.append(contains(search, Need.title, Need.description))
    if c.identified_from is not None:
        conditions.append(Need.identified_on >= c.identified_from)
    if c.identified_to is not None:
        conditions.append(Need.identified_on <= c.identified_to)
    return conditions


def needs_query(criteria: NeedCriteria) -> Select[Need]:
    return select(Need).where(*need_conditions(criteria)).order_by(Need.created_at.desc(), Need.id.desc())
