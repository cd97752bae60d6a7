"""Task mutations: create, update (optimistic version check), delete.

Concurrency choice: optimistic versions. ``updateTask`` carries
``expectedVersion``; the UPDATE itself has ``WHERE id = :id AND version = :v``
(db/queries/task.py ``update_task_versioned``), so of two concurrent updates from
the same version exactly one applies and the other answers CONFLICT: no lost
write, and no row lock is held while the client thinks.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp, TaskStatus
from db.models import Task, TaskAssignee, TaskTeam
from db.policies import Audience
from db.policies.task import TaskPolicy
from db.queries.board import last_position
from db.queries.logs import audience_now
from db.queries.task import (
    add_links_bulk,
    assignee_ids_of,
    recompute_ppa_progress,
    replace_assignees,
    replace_teams,
    team_ids_of,
    update_task_versioned,
)
from db.queries.task_changes import TaskSnapshot, record_task_change
from db.rules import kanban
from resolvers import task_fields as f
from resolvers import validation as v
from resolvers.mutation import run_mutation
from resolvers.targets import editable_target
from resolvers.task_changes import notify_if_assigned
from resolvers.task_recurrence import spawn_next_instance
from schema.core.errors import DomainError, ErrorCode
from schema.task.inputs import CreateTaskInput, DeleteTaskInput, UpdateTaskInput
from schema.task.payloads import CreateTaskPayload, DeleteTaskPayload, UpdateTaskPayload
from schema.task.types import TaskType
from server.context import Context

UNSET: Any = strawberry.UNSET
TASKS = TaskPolicy()  # who may read and who may change a task


def stale() -> DomainError:
    return DomainError.one(
        ErrorCode.CONFLICT, "The task was changed by someone else; reload it and try again.", "input.expectedVersion"
    )


async def create_task(ctx: Context, input: CreateTaskInput) -> CreateTaskPayload:
    async def work() -> CreateTaskPayload:
        user = ctx.require_writer()
        session = ctx.session
        due, start = f.due_at(input.due_at), f.starts_on(input.starts_on)
        f.check_dates(start, due)
        status = TaskStatus(input.status)
        task = Task(
            title=f.title(input.title), description=f.description(input.description), status=status,
            priority=input.priority, domain=input.domain, starts_on=start, due_at=due,
            role=f.label(input.role, "input.role"), phase=f.label(input.phase, "input.phase"),
            estimated_hours=f.hours(input.estimated_hours, "input.estimatedHours"),
            actual_hours=f.hours(input.actual_hours, "input.actualHours"),
            rrule=f.rrule(input.rrule, due), created_by_id=user.id,
            completed_at=datetime.now(UTC) if status == TaskStatus.DONE else None,
            **await f.link(ctx, input.link_id),
        )
        assignees = await f.user_ids(ctx, input.assignee_ids or [])
        teams = await f.team_ids(ctx, input.team_ids or [], "input.teamIds")
        task.position = kanban.position_after_last(await last_position(session, status))
        session.add(task)
        await session.flush()
        await add_links_bulk(session, TaskAssignee, "user_id", [(task.id, u) for u in assignees])
        await add_links_bulk(session, TaskTeam, "team_id", [(task.id, t) for t in teams])
        await recompute_ppa_progress(session, [task.ppa_id])
        await record_task_change(session, task, ChangeOp.CREATED, actor_id=user.id,
                           now=TaskSnapshot.of(task, assignees, teams))
        await ctx.commit()
        await notify_if_assigned(ctx, task.id, [], assignees)
        return CreateTaskPayload(task=TaskType.from_model(task), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateTaskPayload(task=None, errors=errors))


async def _update_values(ctx: Context, task: Task, input: UpdateTaskInput) -> dict[str, Any]:
    """Only the fields the input names, validated; plus what a status change implies."""
    session = ctx.session
    values: dict[str, Any] = {}
    if input.title is not UNSET:
        values["title"] = f.title(v.required(input.title, "input.title"))
    if input.description is not UNSET:
        values["description"] = f.description(v.required(input.description, "input.description"))
    for name, field in (("priority", "input.priority"), ("domain", "input.domain")):
        if getattr(input, name) is not UNSET:
            values[name] = v.required(getattr(input, name), field)
    for name, field in (("role", "input.role"), ("phase", "input.phase")):
        if getattr(input, name) is not UNSET:
            values[name] = f.label(v.required(getattr(input, name), field), field)
    if input.starts_on is not UNSET:
        values["starts_on"] = f.starts_on(input.starts_on)
    if input.due_at is not UNSET:
        values["due_at"] = f.due_at(input.due_at)
    if input.estimated_hours is not UNSET:
        values["estimated_hours"] = f.hours(input.estimated_hours, "input.estimatedHours")
    if input.actual_hours is not UNSET:
        values["actual_hours"] = f.hours(input.actual_hours, "input.actualHours")
    due = values.get("due_at", task.due_at)
    f.check_dates(values.get("starts_on", task.starts_on), due)
    rule = input.rrule if input.rrule is not UNSET else task.rrule
    values["rrule"] = f.rrule(rule, due)
    if input.link_id is not UNSET:
        values |= await f.link(ctx, input.link_id)
    if input.status is not UNSET:
        status = TaskStatus(v.required(input.status, "input.status"))
        if status != task.status:
            values |= await status_change(session, status)
    return values


def completion_values(status: TaskStatus) -> dict[str, Any]:
    """Entering DONE stamps completed_at; leaving it clears it."""
    return {"status": status, "completed_at": datetime.now(UTC) if status == TaskStatus.DONE else None}


async def status_change(session: AsyncSession, status: TaskStatus) -> dict[str, Any]:
    """A card changing column via updateTask goes to the end of the new one."""
    position = kanban.position_after_last(await last_position(session, status))
    return completion_values(status) | {"position": position}


async def after_write(
    ctx: Context, task: Task, old: TaskSnapshot, *, actor_id: int, assignees: list[int], teams: list[int],
    former: Audience | None = None,
) -> None:
    """What every task change implies, in the same transaction: progress, recurrence, change log."""
    session = ctx.session
    if task.status != old.status or task.ppa_id != old.ppa_id:
        await recompute_ppa_progress(session, [old.ppa_id, task.ppa_id])
    if task.status == TaskStatus.DONE and old.status != TaskStatus.DONE:
        await spawn_next_instance(session, task, assignee_ids=assignees, team_ids=teams, actor_id=actor_id)
    await record_task_change(session, task, ChangeOp.UPDATED, actor_id=actor_id,
                       now=TaskSnapshot.of(task, assignees, teams), old=old, former=former)


async def update_task(ctx: Context, input: UpdateTaskInput) -> UpdateTaskPayload:
    async def work() -> UpdateTaskPayload:
        user = ctx.require_writer()
        session = ctx.session
        task_id = f.task_id(input.id)
        task: Task = await editable_target(ctx, TASKS, task_id, "Task", "id")
        if task.version != input.expected_version:
            raise stale()
        old_assignees, old_teams = await assignee_ids_of(session, task_id), await team_ids_of(session, task_id)
        old = TaskSnapshot.of(task, old_assignees, old_teams)
        former = await audience_now(session, "Task", task_id)
        values = await _update_values(ctx, task, input)
        assignees = old_assignees
        if input.assignee_ids is not UNSET:
            assignees = await f.user_ids(ctx, input.assignee_ids or [])
        teams = old_teams
        if input.team_ids is not UNSET:
            teams = await f.team_ids(ctx, input.team_ids or [])
        updated = await update_task_versioned(session, task_id, input.expected_version, values)
        if updated is None:
            raise stale()
        if assignees != old_assignees:
            await replace_assignees(session, task_id, assignees)
        if teams != old_teams:
            await replace_teams(session, task_id, teams)
        await after_write(ctx, updated, old, actor_id=user.id, assignees=assignees, teams=teams, former=former)
        await ctx.commit()
        await notify_if_assigned(ctx, task_id, old_assignees, assignees)
        return UpdateTaskPayload(task=TaskType.from_model(updated), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdateTaskPayload(task=None, errors=errors))


async def delete_task(ctx: Context, input: DeleteTaskInput) -> DeleteTaskPayload:
    async def work() -> DeleteTaskPayload:
        user = ctx.require_writer()
        session = ctx.session
        task_id = f.task_id(input.id)
        task: Task = await editable_target(ctx, TASKS, task_id, "Task", "id")
        old = TaskSnapshot.of(task, await assignee_ids_of(session, task_id), await team_ids_of(session, task_id))
        former = await audience_now(session, "Task", task_id)
        stmt = delete(Task).where(Task.id == task_id)
        if input.expected_version is not None:
            stmt = stmt.where(Task.version == input.expected_version)
        deleted = await session.scalar(stmt.returning(Task.id).execution_options(synchronize_session=False))
        if deleted is None:
            raise stale()
        await recompute_ppa_progress(session, [old.ppa_id])
        await record_task_change(session, task, ChangeOp.DELETED, actor_id=user.id, now=None, old=old, former=former)
        await ctx.commit()
        return DeleteTaskPayload(deleted_id=strawberry.ID(input.id), errors=[])

    return await run_mutation(ctx, work, lambda errors: DeleteTaskPayload(deleted_id=None, errors=errors))
