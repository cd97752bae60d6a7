"""Assessments: the list and createAssessment (with its default task set; module MANA)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select

from db.enums import AssessmentStatus, CalendarModule, ChangeOp, TemplateKind
from db.models import Assessment
from db.queries.assessment import AssessmentCriteria, assessments_query
from db.queries.logs import record_audit, record_change
from db.queries.task_generation import generate_default_tasks
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.mutation import run_mutation
from resolvers.need import search
from schema.assessment.inputs import AssessmentFilter, CreateAssessmentInput
from schema.assessment.payloads import CreateAssessmentPayload
from schema.assessment.types import AssessmentType
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_ids
from server.context import Context

MILESTONES = (("planning_on", "input.planningOn"), ("data_collection_on", "input.dataCollectionOn"),
              ("analysis_on", "input.analysisOn"), ("report_on", "input.reportOn"))


async def resolve_assessments(
    ctx: Context, filter: AssessmentFilter | None, first: int | None, after: str | None,
    order: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[AssessmentType]:
    ctx.require_user()
    fl = filter or AssessmentFilter()
    criteria = AssessmentCriteria(
        viewer=ctx.viewer,
        statuses=fl.statuses,
        community_ids=decode_ids(fl.community_ids, "Community", field="filter.communityIds"),
        team_ids=decode_ids(fl.team_ids, "Team", field="filter.teamIds"),
        owner_ids=decode_ids(fl.owner_ids, "User", field="filter.ownerIds"),
        search=search(fl.search), date_from=fl.date_from, date_to=fl.date_to,
    )
    stmt = assessments_query(criteria)
    if order is not None:
        stmt = order(stmt)
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=AssessmentType.from_model)


def milestone_dates(input: CreateAssessmentInput) -> dict[str, Any]:
    """The four dates, each in range and (where given) not before the previous given one."""
    values: dict[str, Any] = {}
    previous = None
    for attr, field in MILESTONES:
        value = f.day(getattr(input, attr), field)
        values[attr] = value
        if value is not None:
            v.ordered(previous, value, field, strict=False)
            previous = value
    return values


def assessment_change(a: Assessment) -> dict[str, Any]:
    given = [d for d in (a.planning_on, a.data_collection_on, a.analysis_on, a.report_on) if d is not None]
    return {"module": CalendarModule.MANA.value, "start": given[0].isoformat() if given else None,
            "end": given[-1].isoformat() if given else None, "status": a.status.value,
            "owner_id": a.owner_id, "team_ids": [a.lead_team_id] if a.lead_team_id else []}


async def create_assessment(ctx: Context, input: CreateAssessmentInput) -> CreateAssessmentPayload:
    async def work() -> CreateAssessmentPayload:
        user = ctx.require_writer()
        session = ctx.session
        assessment = Assessment(
            title=f.title(input.title), description=f.description(input.description),
            status=AssessmentStatus(input.status) if input.status is not None else AssessmentStatus.PLANNED,
            community_id=await f.reference(ctx, input.community_id, "Community", "input.communityId"),
            lead_team_id=await f.reference(ctx, input.lead_team_id, "Team", "input.leadTeamId"),
            owner_id=await f.reference(ctx, input.owner_id, "User", "input.ownerId") or user.id,
            **milestone_dates(input),
        )
        session.add(assessment)
        await session.flush()
        await generate_default_tasks(session, TemplateKind.ASSESSMENT, assessment, actor_id=user.id)
        await record_change(session, "Assessment", assessment.id, ChangeOp.CREATED, assessment_change(assessment),
                      actor_id=user.id)
        record_audit(session, actor_id=user.id, action="create", entity_type="Assessment", entity_id=assessment.id,
                     after={"title": assessment.title, "status": assessment.status.value})
        await ctx.commit()
        return CreateAssessmentPayload(assessment=AssessmentType.from_model(assessment), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateAssessmentPayload(assessment=None, errors=errors))
