from __future__ import annotations

import strawberry

from resolvers import task_template as resolve
from schema.task_template.inputs import CreateTaskTemplateInput, InstantiateTaskTemplateInput
from schema.task_template.payloads import CreateTaskTemplatePayload, InstantiateTaskTemplatePayload


@strawberry.type
class TaskTemplateMutation:
    @strawberry.mutation(description="Managers and admins only.")
    async def create_task_template(self, info: strawberry.Info, input: CreateTaskTemplateInput) -> CreateTaskTemplatePayload:
        return await resolve.create_task_template(info.context, input)

    @strawberry.mutation(description="Idempotent per template, target and start date.")
    async def instantiate_task_template(
        self, info: strawberry.Info, input: InstantiateTaskTemplateInput
    ) -> InstantiateTaskTemplatePayload:
        return await resolve.instantiate_task_template(info.context, input)
