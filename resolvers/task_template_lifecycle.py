"""updateTaskTemplate and retireTaskTemplate (MANAGER, ADMIN), with optimistic concurrency.

A retired template keeps its items (tasks made from it point at them) but stops being
its kind's default and cannot be instantiated again."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from strawberry import UNSET

from db.models import TaskTemplate
from db.policies.task_template import TEMPLATES
from resolvers import validation as v
from resolvers.lifecycle import Versioned, update_row
from resolvers.mutation import run_mutation
from schema.core.errors import DomainError, ErrorCode
from schema.task_template.inputs import RetireTaskTemplateInput, UpdateTaskTemplateInput
from schema.task_template.payloads import UpdateTaskTemplatePayload
from schema.task_template.types import TaskTemplateType
from server.context import Context


def snapshot(t: TaskTemplate) -> dict[str, Any]:
    return {"name": t.name, "is_default": t.is_default, "retired": t.retired_at is not None}


def retired(field: str) -> DomainError:
    return DomainError.one(ErrorCode.INVALID_TRANSITION, "The template is retired.", field)


def change(t: TaskTemplate) -> dict[str, Any]:
    return {"kind": t.kind.value, "is_default": t.is_default, "retired": t.retired_at is not None}


VERSIONED = Versioned(TaskTemplate, "TaskTemplate", "Task template", snapshot)


async def save(ctx: Context, pk: str, expected_version: int, values: dict[str, Any], action: str) -> UpdateTaskTemplatePayload:
    user = ctx.require_role(*TEMPLATES.editor_roles)

    async def checked(current: TaskTemplate) -> dict[str, Any]:
        if current.retired_at is not None:
            raise retired("input.id")
        if values.get("is_default"):  # one default per kind (a unique index backs this against races)
            await ctx.session.execute(
                update(TaskTemplate).where(TaskTemplate.kind == current.kind, TaskTemplate.is_default,
                                           TaskTemplate.id != current.id)
                .values(is_default=False).execution_options(synchronize_session=False))
        return values

    row = await update_row(ctx, VERSIONED, pk, expected_version, user, values=checked, change=change, action=action)
    return UpdateTaskTemplatePayload(template=TaskTemplateType.from_model(row), errors=[])


async def update_task_template(ctx: Context, input: UpdateTaskTemplateInput) -> UpdateTaskTemplatePayload:
    async def work() -> UpdateTaskTemplatePayload:
        values: dict[str, Any] = {}
        if input.name is not UNSET:
            values["name"] = v.text(v.required(input.name, "input.name"), "input.name", max_length=200)
        if input.description is not UNSET:
            values["description"] = v.text(v.required(input.description, "input.description"), "input.description",
                                           max_length=20_000, required=False)
        if input.is_default is not UNSET:
            values["is_default"] = v.required(input.is_default, "input.isDefault")
        return await save(ctx, input.id, input.expected_version, values, "task_template.update")

    return await run_mutation(ctx, work, lambda errors: UpdateTaskTemplatePayload(template=None, errors=errors))


async def retire_task_template(ctx: Context, input: RetireTaskTemplateInput) -> UpdateTaskTemplatePayload:
    async def work() -> UpdateTaskTemplatePayload:
        values = {"retired_at": datetime.now(UTC), "is_default": False}
        return await save(ctx, input.id, input.expected_version, values, "task_template.retire")

    return await run_mutation(ctx, work, lambda errors: UpdateTaskTemplatePayload(template=None, errors=errors))
