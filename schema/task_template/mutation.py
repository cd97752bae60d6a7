from __future__ import annotations

import strawberry

from resolvers import task_template as resolve
from resolvers import task_template_lifecycle
from schema.task_template.inputs import (
    CreateTaskTemplateInput,
    InstantiateTaskTemplateInput,
    RetireTaskTemplateInput,
    UpdateTaskTemplateInput,
)
from schema.task_template.payloads import (
    CreateTaskTemplatePayload,
    InstantiateTaskTemplatePayload,
    UpdateTaskTemplatePayload,
)


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

    @strawberry.mutation(description="Rename a template, edit its description, make it its kind's default.")
    async def update_task_template(
        self, info: strawberry.Info, input: UpdateTaskTemplateInput
    ) -> UpdateTaskTemplatePayload:
        return await task_template_lifecycle.update_task_template(info.context, input)

    @strawberry.mutation(description="Retire a template: kept for the tasks made from it, never used again.")
    async def retire_task_template(
        self, info: strawberry.Info, input: RetireTaskTemplateInput
    ) -> UpdateTaskTemplatePayload:
        return await task_template_lifecycle.retire_task_template(info.context, input)
