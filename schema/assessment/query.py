from __future__ import annotations

import strawberry

from resolvers import assessment as resolve
from schema.assessment.inputs import AssessmentFilter
from schema.assessment.types import AssessmentType
from schema.core.connection import Connection


@strawberry.type
class AssessmentQuery:
    @strawberry.field
    async def assessments(
        self, info: strawberry.Info, filter: AssessmentFilter | None = None,
        first: int | None = None, after: str | None = None,
    ) -> Connection[AssessmentType]:
        return await resolve.resolve_assessments(info.context, filter, first, after)
