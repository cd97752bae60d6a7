from __future__ import annotations

import strawberry

from db.enums import TemplateKind
from db.models import TaskTemplate
from db.policies import policy_for
from db.queries.search import contains, search_terms
from schema.core.connection import Connection, paginate
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.task_template.inputs import TaskTemplateFilter
from schema.task_template.types import TaskTemplateType

TASK_TEMPLATE_ORDER = sortable("TaskTemplate", {"NAME": TaskTemplate.name, "KIND": TaskTemplate.kind,
                                                "CREATED_AT": TaskTemplate.created_at}, TaskTemplate.id)


@TASK_TEMPLATE_ORDER.input
class TaskTemplateOrder(OrderInput):
    pass


@strawberry.type
class TaskTemplateQuery:
    @strawberry.field
    async def task_templates(
        self, info: strawberry.Info, filter: TaskTemplateFilter | None = None,
        order_by: TaskTemplateOrder | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[TaskTemplateType]:
        stmt = policy_for(TaskTemplate).select(info.context.viewer)
        if filter is not None and filter.kind is not None:
            stmt = stmt.where(TaskTemplate.kind == TemplateKind(filter.kind))
        if filter is not None and (search := search_terms(filter.search)) is not None:
            stmt = stmt.where(contains(search, TaskTemplate.name))
        stmt = apply_order(stmt.order_by(TaskTemplate.kind, TaskTemplate.name, TaskTemplate.id),
                           TASK_TEMPLATE_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=TaskTemplateType.from_model)
