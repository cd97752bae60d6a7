from __future__ import annotations

import strawberry

from db.models import Assessment
from resolvers import assessment as resolve
from schema.assessment.inputs import AssessmentFilter
from schema.assessment.types import AssessmentType
from schema.core.connection import Connection
from schema.core.ordering import OrderInput, apply_order, sortable

ASSESSMENT_ORDER = sortable("Assessment", {
    "TITLE": Assessment.title, "PLANNING_ON": Assessment.planning_on,
    "DATA_COLLECTION_ON": Assessment.data_collection_on, "ANALYSIS_ON": Assessment.analysis_on,
    "REPORT_ON": Assessment.report_on, "CREATED_AT": Assessment.created_at,
}, Assessment.id)


@ASSESSMENT_ORDER.input
class AssessmentOrder(OrderInput):
    pass


@strawberry.type
class AssessmentQuery:
    @strawberry.field
    async def assessments(
        self, info: strawberry.Info, filter: AssessmentFilter | None = None,
        order_by: AssessmentOrder | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[AssessmentType]:
        return await resolve.resolve_assessments(info.context, filter, first, after,
                                                 order=lambda stmt: apply_order(stmt, ASSESSMENT_ORDER, order_by))
