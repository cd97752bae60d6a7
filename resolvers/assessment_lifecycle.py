"""updateAssessment: edit an assessment and move it to its next phase, with optimistic concurrency."""
from __future__ import annotations

from typing import Any

from strawberry import UNSET

from db.enums import AssessmentStatus
from db.models import Assessment
from db.rules.lifecycles import ASSESSMENT_MOVES, check_move
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.assessment import MILESTONES, assessment_change
from resolvers.lifecycle import Versioned, allowed_move, changed_references, update_row
from resolvers.mutation import run_mutation
from schema.assessment.inputs import UpdateAssessmentInput
from schema.assessment.payloads import UpdateAssessmentPayload
from schema.assessment.types import AssessmentType
from server.context import Context

REFERENCES = (("community_id", "Community", "input.communityId"), ("lead_team_id", "Team", "input.leadTeamId"),
              ("owner_id", "User", "input.ownerId"))


def snapshot(a: Assessment) -> dict[str, Any]:
    return {"title": a.title, "status": a.status.value,
            **{attr: getattr(a, attr).isoformat() if getattr(a, attr) else None for attr, _ in MILESTONES}}


async def changed_values(ctx: Context, input: UpdateAssessmentInput, current: Assessment) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if input.title is not UNSET:
        values["title"] = f.title(v.required(input.title, "input.title"))
    if input.description is not UNSET:
        values["description"] = f.description(v.required(input.description, "input.description"))
    await changed_references(ctx, input, REFERENCES, values)
    previous = None
    for attr, field in MILESTONES:  # the dates after the change, each not before the previous given one
        value = getattr(input, attr)
        if value is not UNSET:
            values[attr] = f.day(value, field)
        day = values.get(attr, getattr(current, attr))
        if day is not None:
            v.ordered(previous, day, field, strict=False)
            previous = day
    if input.status is not UNSET:
        status = AssessmentStatus(v.required(input.status, "input.status"))
        allowed_move(check_move, ASSESSMENT_MOVES, current.status, status)
        values["status"] = status
    return values


ASSESSMENTS = Versioned(Assessment, "Assessment", "Assessment", snapshot)


async def update_assessment(ctx: Context, input: UpdateAssessmentInput) -> UpdateAssessmentPayload:
    async def work() -> UpdateAssessmentPayload:
        user = ctx.require_writer()
        row = await update_row(ctx, ASSESSMENTS, input.id, input.expected_version, user,
                               values=lambda current: changed_values(ctx, input, current), change=assessment_change)
        return UpdateAssessmentPayload(assessment=AssessmentType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdateAssessmentPayload(assessment=None, errors=errors))
