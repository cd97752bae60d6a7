"""updateResource and deactivateResource (MANAGER, ADMIN), with optimistic concurrency.

A deactivated resource takes no new bookings (``booking_slots`` refuses them); its
existing bookings stay as they are, for the office to cancel or keep."""
from __future__ import annotations

from typing import Any

from strawberry import UNSET

from db.models import Resource
from db.policies.resource import RESOURCES
from resolvers import validation as v
from resolvers.lifecycle import Versioned, update_row
from resolvers.mutation import run_mutation
from resolvers.resource import MAX_BUFFER_MINUTES
from schema.resource.inputs import DeactivateResourceInput, UpdateResourceInput
from schema.resource.payloads import UpdateResourcePayload
from schema.resource.types import ResourceType
from server.context import Context

TEXTS = (("name", 200, True), ("description", 5000, False), ("location", 300, False))


def snapshot(r: Resource) -> dict[str, Any]:
    return {"name": r.name, "location": r.location, "capacity": r.capacity, "is_active": r.is_active,
            "requires_approval": r.requires_approval, "buffers": [r.buffer_before_minutes, r.buffer_after_minutes]}


def changed_values(input: UpdateResourceInput) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, limit, required in TEXTS:
        value = getattr(input, name)
        if value is not UNSET:
            field = f"input.{name}"
            values[name] = v.text(v.required(value, field), field, max_length=limit, required=required)
    if input.capacity is not UNSET:
        v.number_range(input.capacity, "input.capacity", low=1, high=1_000_000)
        values["capacity"] = input.capacity
    for name, field in (("buffer_before_minutes", "input.bufferBeforeMinutes"),
                        ("buffer_after_minutes", "input.bufferAfterMinutes")):
        value = getattr(input, name)
        if value is not UNSET:
            v.number_range(v.required(value, field), field, low=0, high=MAX_BUFFER_MINUTES)
            values[name] = value
    for name, field in (("requires_approval", "input.requiresApproval"), ("is_active", "input.isActive")):
        value = getattr(input, name)
        if value is not UNSET:
            values[name] = v.required(value, field)
    return values


def change(r: Resource) -> dict[str, Any]:
    return {"module": "RESOURCES", "resource_id": r.id, "is_active": r.is_active}


VERSIONED = Versioned(Resource, "Resource", "Resource", snapshot)


async def save(ctx: Context, pk: str, expected_version: int, values: dict[str, Any], action: str) -> UpdateResourcePayload:
    user = ctx.require_role(*RESOURCES.editor_roles)
    row = await update_row(ctx, VERSIONED, pk, expected_version, user, values=values, change=change, action=action)
    return UpdateResourcePayload(resource=ResourceType.from_model(row), errors=[])


async def update_resource(ctx: Context, input: UpdateResourceInput) -> UpdateResourcePayload:
    async def work() -> UpdateResourcePayload:
        return await save(ctx, input.id, input.expected_version, changed_values(input), "update")

    return await run_mutation(ctx, work, lambda errors: UpdateResourcePayload(resource=None, errors=errors))


async def deactivate_resource(ctx: Context, input: DeactivateResourceInput) -> UpdateResourcePayload:
    async def work() -> UpdateResourcePayload:
        return await save(ctx, input.id, input.expected_version, {"is_active": False}, "deactivate")

    return await run_mutation(ctx, work, lambda errors: UpdateResourcePayload(resource=None, errors=errors))
