"""generateEventTasks: the coordination task set for any COORDINATION event the caller can read.

Quarterly meetings get theirs automatically; any other coordination event gets them on
request. Idempotent: tasks are keyed by event and template item."""
from __future__ import annotations

from typing import TYPE_CHECKING

from db.enums import CalendarModule, TemplateKind
from db.models import Event, Task
from db.policies import policy_for
from db.queries.task_generation import generate_default_tasks
from resolvers.mutation import not_found, run_mutation, validation
from schema.core.ids import decode_id
from schema.task.types import TaskType
from server.context import Context

if TYPE_CHECKING:
    from schema.event.generate_tasks import GenerateEventTasksInput, GenerateEventTasksPayload


async def generate_event_tasks(ctx: Context, input: GenerateEventTasksInput) -> GenerateEventTasksPayload:
    from schema.event.generate_tasks import GenerateEventTasksPayload

    async def work() -> GenerateEventTasksPayload:
        user = ctx.require_writer()
        pk = decode_id(input.event_id, "Event", field="input.eventId")
        event = await ctx.session.scalar(policy_for(Event).select(ctx.viewer).where(Event.id == pk))
        if event is None:
            raise not_found("Event", "input.eventId")
        if event.module != CalendarModule.COORDINATION or event.parent_event_id is not None:
            raise validation("Only a coordination event (not an occurrence override) gets a task set.",
                             "input.eventId")
        created = await generate_default_tasks(ctx.session, TemplateKind.COORDINATION_EVENT, event, actor_id=user.id)
        tasks = list(await ctx.session.scalars(
            policy_for(Task).select(ctx.viewer).where(Task.event_id == event.id).order_by(Task.id)
        ))
        await ctx.commit()
        return GenerateEventTasksPayload(tasks=[TaskType.from_model(t) for t in tasks], created_count=len(created),
                                         errors=[])

    return await run_mutation(ctx, work,
                              lambda errors: GenerateEventTasksPayload(tasks=[], created_count=0, errors=errors))
