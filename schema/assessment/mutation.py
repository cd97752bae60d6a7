from __future__ import annotations

import strawberry

from resolvers import assessment as resolve
from schema.assessment.inputs import CreateAssessmentInput
from schema.assessment.payloads import CreateAssessmentPayload


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Also generates the default ASSESSMENT task set.")
    async def create_assessment(self, info: strawberry.Info, input: CreateAssessmentInput) -> CreateAssessmentPayload:
        return await resolve.create_assessment(info.context, input)
