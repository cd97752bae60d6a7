"""Queries for assessments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select

from db.enums import AssessmentStatus
from db.models import Assessment
from db.policies import ANONYMOUS, Viewer, policy_for
from db.queries.search import contains, search_terms


@dataclass(slots=True)
class AssessmentCriteria:
    viewer: Viewer = ANONYMOUS  # reads only the assessments the viewer may (db.policies.assessment)
    statuses: list[AssessmentStatus] | None = None
    community_ids: list[int] | None = None
    team_ids: list[int] | None = None
    owner_ids: list[int] | None = None
    search: str | None = None
    # Assessments whose span (planning .. report, whichever dates are set) overlaps the range.
    date_from: date | None = None
    date_to: date | None = None


def first_date() -> ColumnElement[date]:
    return func.coalesce(Assessment.planning_on, Assessment.data_collection_on, Assessment.analysis_on, Assessment.report_on)


def last_date() -> ColumnElement[date]:
    return func.coalesce(Assessment.report_on, Assessment.analysis_on, Assessment.data_collection_on, Assessment.planning_on)


def assessment_conditions(c: AssessmentCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [policy_for(Assessment).readable(c.viewer)]
    if c.statuses:
        conditions.append(Assessment.status.in_(c.statuses))
    if c.community_ids:
        conditions.append(Assessment.community_id.in_(c.community_ids))
    if c.team_ids:
        conditions.append(Assessment.lead_team_id.in_(c.team_ids))
    if c.owner_ids:
        conditions.append(Assessment.owner_id.in_(c.owner_ids))
    if (search := search_terms(c.search)) is not None:
        conditions.append(contains(search, Assessment.title, Assessment.description))
    if c.date_from is not None:
        conditions.append(last_date() >= c.date_from)
    if c.date_to is not None:
        conditions.append(first_date() <= c.date_to)
    return conditions


def assessments_query(criteria: AssessmentCriteria) -> Select[Assessment]:
    return (
        select(Assessment)
        .where(*assessment_conditions(criteria))
        .order_by(first_date().asc().nulls_last(), Assessment.id)
    )
