from __future__ import annotations

import strawberry

from resolvers import assessment as resolve
from resolvers import assessment_lifecycle
from schema.assessment.inputs import CreateAssessmentInput, UpdateAssessmentInput
from schema.assessment.payloads import CreateAssessmentPayload, UpdateAssessmentPayload


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Also generates the default ASSESSMENT task set.")
    async def create_assessment(self, info: strawberry.Info, input: CreateAssessmentInput) -> CreateAssessmentPayload:
        return await resolve.create_assessment(info.context, input)

    @strawberry.mutation(description="Edit an assessment or move it to its next phase (with expectedVersion).")
    async def update_assessment(self, info: strawberry.Info, input: UpdateAssessmentInput) -> UpdateAssessmentPayload:
        return await assessment_lifecycle.update_assessment(info.context, input)
