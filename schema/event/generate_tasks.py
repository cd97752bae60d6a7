"""generateEventTasks: any COORDINATION event (not only quarterly ones) may get its task set."""
from __future__ import annotations

import strawberry

from resolvers import event_tasks as resolve
from schema.core.errors import UserError
from schema.task.types import TaskType


@strawberry.input
class GenerateEventTasksInput:
    event_id: strawberry.ID


@strawberry.type
class GenerateEventTasksPayload:
    tasks: list[TaskType] = strawberry.field(description="The event's tasks (made now or by an earlier call).")
    created_count: int = strawberry.field(description="How many this call created (0 on a repeat).")
    errors: list[UserError]


@strawberry.type
class EventTasksMutation:
    @strawberry.mutation(description="Create the COORDINATION_EVENT default template's tasks for a coordination event "
                                     "(idempotent).")
    async def generate_event_tasks(self, info: strawberry.Info, input: GenerateEventTasksInput) -> GenerateEventTasksPayload:
        return await resolve.generate_event_tasks(info.context, input)
