from __future__ import annotations

import strawberry

from schema.assessment.types import AssessmentType
from schema.core.errors import UserError


@strawberry.type
class CreateAssessmentPayload:
    assessment: AssessmentType | None
    errors: list[UserError]


@strawberry.type
class UpdateAssessmentPayload:
    assessment: AssessmentType | None
    errors: list[UserError]
