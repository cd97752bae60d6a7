"""Calendar entries of PPAs (start/end, milestones, stage schedules) and assessments: one query each.

Their dates are whole days (UTC), shown as all-day entries.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule, PpaStatus
from db.models import Assessment, Ppa, PpaMilestone, PpaStageSchedule
from db.policies import policy_for
from db.queries.calendar_scope import CalendarScope
from db.rules.calendar_entries import CalendarEntry, EntryKind, date_entry, day_bounds

ASSESSMENT_MILESTONES = (
    ("planning_on", "AssessmentPlanning", "planning"),
    ("data_collection_on", "AssessmentDataCollection", "data collection"),
    ("analysis_on", "AssessmentAnalysis", "analysis"),
    ("report_on", "AssessmentReport", "report"),
)


def in_days(column: Any, scope: CalendarScope) -> ColumnElement[bool]:
    lo, hi = day_bounds(scope.start, scope.end)
    return and_(column >= lo, column < hi)


def ppa_clauses(scope: CalendarScope) -> list[ColumnElement[bool]] | None:
    """Filters on the PPA row; None when the scope rules PPAs out."""
    if not scope.wants(CalendarModule.PROJECTS) or scope.only_resources:
        return None
    clauses: list[ColumnElement[bool]] = [policy_for(Ppa).readable(scope.viewer), Ppa.status != PpaStatus.CANCELLED,
                                          Ppa.archived_at.is_(None)]
    if scope.community_ids is not None:
        clauses.append(Ppa.community_id.in_(list(scope.community_ids)))
    if scope.assignee_ids is not None:
        clauses.append(Ppa.owner_id.in_(list(scope.assignee_ids)))
    return clauses


async def ppa_entries(session: AsyncSession, scope: CalendarScope,
                     extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    clauses = ppa_clauses(scope)
    if clauses is None:
        return []
    lo, hi = day_bounds(scope.start, scope.end)
    rows = await session.execute(
        select(Ppa.id, Ppa.title, Ppa.starts_on, Ppa.ends_on)
        .where(or_(in_days(Ppa.starts_on, scope), in_days(Ppa.ends_on, scope)), *clauses, *extra)
    )
    entries: list[CalendarEntry] = []
    for pk, title, starts_on, ends_on in rows:
        if starts_on is not None and lo <= starts_on < hi:
            entries.append(date_entry(EntryKind.PPA_START, "PpaStart", pk, f"{title} starts", starts_on, None, "Ppa", pk))
        if ends_on is not None and lo <= ends_on < hi:
            entries.append(date_entry(EntryKind.PPA_END, "PpaEnd", pk, f"{title} ends", ends_on, None, "Ppa", pk))
    return entries


async def milestone_entries(session: AsyncSession, scope: CalendarScope,
                           extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    clauses = ppa_clauses(scope)
    if clauses is None:
        return []
    rows = await session.execute(
        select(PpaMilestone.id, PpaMilestone.title, PpaMilestone.due_on, Ppa.title)
        .join(Ppa, Ppa.id == PpaMilestone.ppa_id)
        .where(in_days(PpaMilestone.due_on, scope), policy_for(PpaMilestone).readable(scope.viewer), *clauses,
               *extra)
    )
    return [
        date_entry(EntryKind.PPA_MILESTONE, "PpaMilestone", pk, f"{ppa_title}: {title}", due, None, "PpaMilestone", pk)
        for pk, title, due, ppa_title in rows
    ]


def stage_label(stage: str) -> str:
    return stage.replace("_", " ").capitalize()


async def stage_entries(session: AsyncSession, scope: CalendarScope,
                       extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    clauses = ppa_clauses(scope)
    if clauses is None:
        return []
    lo, hi = day_bounds(scope.start, scope.end)
    rows = await session.execute(
        select(PpaStageSchedule.id, PpaStageSchedule.stage, PpaStageSchedule.starts_on, PpaStageSchedule.ends_on,
               Ppa.title)
        .join(Ppa, Ppa.id == PpaStageSchedule.ppa_id)
        .where(PpaStageSchedule.starts_on < hi, PpaStageSchedule.ends_on >= lo,
               policy_for(PpaStageSchedule).readable(scope.viewer), *clauses, *extra)
    )
    return [
        date_entry(EntryKind.PPA_STAGE, "PpaStage", pk, f"{ppa_title}: {stage_label(stage)}", first, last,
                   "PpaStage", pk)
        for pk, stage, first, last, ppa_title in rows
    ]


async def assessment_entries(session: AsyncSession, scope: CalendarScope,
                            extra: Sequence[ColumnElement[bool]] = ()) -> list[CalendarEntry]:
    if not scope.wants(CalendarModule.MANA) or scope.only_resources:
        return []
    columns = [getattr(Assessment, name) for name, _, _ in ASSESSMENT_MILESTONES]
    clauses: list[ColumnElement[bool]] = [policy_for(Assessment).readable(scope.viewer),
                                          or_(*(in_days(c, scope) for c in columns))]
    if scope.community_ids is not None:
        clauses.append(Assessment.community_id.in_(list(scope.community_ids)))
    if scope.assignee_ids is not None:
        clauses.append(Assessment.owner_id.in_(list(scope.assignee_ids)))
    lo, hi = day_bounds(scope.start, scope.end)
    rows = await session.execute(select(Assessment.id, Assessment.title, *columns).where(*clauses, *extra))
    entries: list[CalendarEntry] = []
    for pk, title, *days in rows:
        for day, (_, prefix, label) in zip(days, ASSESSMENT_MILESTONES, strict=True):
            if day is not None and lo <= day < hi:
                entries.append(date_entry(EntryKind.ASSESSMENT_MILESTONE, prefix, pk, f"{title}: {label}", day,
                                          None, "Assessment", pk))
    return entries
