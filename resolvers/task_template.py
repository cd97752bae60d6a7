"""Task template mutations: create (managers/admins) and instantiate (any writer)."""
from __future__ import annotations

from sqlalchemy import update

from db.base import IdMixin
from db.enums import ChangeOp, TemplateKind
from db.models import Task, TaskTemplate, TaskTemplateItem
from db.policies import policy_for
from db.policies.task_template import TEMPLATES
from db.queries.logs import record_audit, record_change
from db.queries.task_generation import MODEL_BY_KIND, TARGETS, instantiate, template_items
from db.rules.task_templates import MAX_OFFSET_DAYS, unknown_placeholders
from resolvers import task_fields as f
from resolvers import validation as v
from resolvers.mutation import run_mutation, validation
from resolvers.targets import readable_target
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id, decode_typed_id
from schema.task.types import TaskType
from schema.task_template.inputs import (
    CreateTaskTemplateInput,
    InstantiateTaskTemplateInput,
    TaskTemplateItemInput,
)
from schema.task_template.payloads import CreateTaskTemplatePayload, InstantiateTaskTemplatePayload
from schema.task_template.types import TaskTemplateType
from server.context import Context

MAX_ITEMS = 100


def _item(kind: TemplateKind, item: TaskTemplateItemInput, index: int) -> TaskTemplateItem:
    field = f"input.items.{index}"
    title = v.text(item.title, f"{field}.title", max_length=300)
    description = v.text(item.description, f"{field}.description", max_length=20_000, required=False)
    unknown = unknown_placeholders(kind, [title, description])
    if unknown:
        raise validation(f"Unknown placeholders for {kind.value}: {', '.join(unknown)}.", f"{field}.title")
    v.number_range(item.offset_days, f"{field}.offsetDays", low=-MAX_OFFSET_DAYS, high=MAX_OFFSET_DAYS)
    sequence = index if item.sequence is None else item.sequence
    v.number_range(sequence, f"{field}.sequence", low=0, high=10_000)
    return TaskTemplateItem(
        sequence=sequence, title=title, description=description, offset_days=item.offset_days,
        role=f.label(item.role, f"{field}.role"), priority=item.priority,
        phase=f.label(item.phase, f"{field}.phase"),
        estimated_hours=f.hours(item.estimated_hours, f"{field}.estimatedHours"),
    )


async def create_task_template(ctx: Context, input: CreateTaskTemplateInput) -> CreateTaskTemplatePayload:
    async def work() -> CreateTaskTemplatePayload:
        user = ctx.require_role(*TEMPLATES.editor_roles)
        session = ctx.session
        kind = TemplateKind(input.kind)
        given = input.items or []
        if len(given) > MAX_ITEMS:
            raise validation(f"At most {MAX_ITEMS} items.", "input.items")
        items = [_item(kind, item, index) for index, item in enumerate(given)]
        template = TaskTemplate(
            name=v.text(input.name, "input.name", max_length=200),
            description=v.text(input.description, "input.description", max_length=20_000, required=False),
            kind=kind, is_default=input.is_default,
        )
        if input.is_default:  # one default per kind (a unique index backs this against races)
            await session.execute(
                update(TaskTemplate).where(TaskTemplate.kind == kind, TaskTemplate.is_default)
                .values(is_default=False).execution_options(synchronize_session=False)
            )
        session.add(template)
        await session.flush()
        for item in items:
            item.template_id = template.id
        session.add_all(items)
        await session.flush()
        await record_change(session, "TaskTemplate", template.id, ChangeOp.CREATED,
                      {"kind": kind.value, "is_default": template.is_default}, actor_id=user.id)
        record_audit(session, actor_id=user.id, action="task_template.create", entity_type="TaskTemplate",
                     entity_id=template.id, after={"name": template.name, "kind": kind.value, "items": len(items)})
        await ctx.commit()
        return CreateTaskTemplatePayload(template=TaskTemplateType.from_model(template), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateTaskTemplatePayload(template=None, errors=errors))


async def instantiate_task_template(ctx: Context, input: InstantiateTaskTemplateInput) -> InstantiateTaskTemplatePayload:
    async def work() -> InstantiateTaskTemplatePayload:
        user = ctx.require_writer()
        session = ctx.session
        template_id = decode_id(input.template_id, "TaskTemplate", field="input.templateId")
        if not (1900 <= input.start_date.year <= 2200):
            raise validation("Year must be between 1900 and 2200.", "input.startDate")
        template = await readable_target(ctx, TaskTemplate, template_id, "Task template", "input.templateId")
        if template.retired_at is not None:
            raise DomainError.one(ErrorCode.INVALID_TRANSITION, "The template is retired.", "input.templateId")
        target = await _target(ctx, template.kind, input.target_id)
        type_name = type(target).__name__ if target is not None else "None"
        prefix = f"template:{template.id}:{type_name}:{target.id}:{input.start_date.isoformat()}" if target else None
        items = await template_items(session, template.id)
        keys = {item.id: f"{prefix}:item:{item.id}" if prefix else None for item in items}
        created = await instantiate(
            session, items, target, input.start_date, key=lambda item: keys[item.id], actor_id=user.id
        )
        tasks = created
        if prefix is not None:  # the whole set, also when a previous call created it
            wanted = [k for k in keys.values() if k is not None]
            rows = await session.scalars(
                policy_for(Task).select(ctx.viewer).where(Task.generation_key.in_(wanted)).order_by(Task.position, Task.id)
            )
            tasks = list(rows)
        await ctx.commit()
        return InstantiateTaskTemplatePayload(
            tasks=[TaskType.from_model(t) for t in tasks], created_count=len(created), errors=[]
        )

    return await run_mutation(
        ctx, work, lambda errors: InstantiateTaskTemplatePayload(tasks=[], created_count=0, errors=errors)
    )


async def _target(ctx: Context, kind: TemplateKind, value: str | None) -> IdMixin | None:
    """The object to instantiate for: of the template's kind, and readable by the caller.

    The kind is checked from the id's type alone, before any lookup, and an unreadable
    object answers NOT_FOUND like a missing one: neither confirms that a private row exists.
    """
    if value is None:
        return None
    type_name, pk = decode_typed_id(value, field="input.targetId")
    model = f.LINK_TYPES.get(type_name, (None, None))[1]
    if model is None or model not in TARGETS:
        raise validation(f"Expected an id of {', '.join(f.LINK_TYPES)}, got {type_name}.", "input.targetId")
    expected = MODEL_BY_KIND.get(kind)
    if expected is not None and model is not expected:
        raise validation(f"A {kind.value} template is instantiated for a {expected.__name__}, not a {type_name}.",
                         "input.targetId")
    target: IdMixin = await readable_target(ctx, model, pk, type_name, "input.targetId")
    return target
