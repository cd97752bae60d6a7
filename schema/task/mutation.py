from __future__ import annotations

import strawberry

from resolvers import task as resolve
from resolvers.task_move import move_task
from schema.task.inputs import CreateTaskInput, DeleteTaskInput, MoveTaskInput, UpdateTaskInput
from schema.task.payloads import (
    CreateTaskPayload,
    DeleteTaskPayload,
    MoveTaskPayload,
    UpdateTaskPayload,
)


@strawberry.type
class TaskMutation:
    @strawberry.mutation
    async def create_task(self, info: strawberry.Info, input: CreateTaskInput) -> CreateTaskPayload:
        return await resolve.create_task(info.context, input)

    @strawberry.mutation(description="Needs expectedVersion; a stale one answers CONFLICT.")
    async def update_task(self, info: strawberry.Info, input: UpdateTaskInput) -> UpdateTaskPayload:
        return await resolve.update_task(info.context, input)

    @strawberry.mutation
    async def move_task(self, info: strawberry.Info, input: MoveTaskInput) -> MoveTaskPayload:
        return await move_task(info.context, input)

    @strawberry.mutation
    async def delete_task(self, info: strawberry.Info, input: DeleteTaskInput) -> DeleteTaskPayload:
        return await resolve.delete_task(info.context, input)
