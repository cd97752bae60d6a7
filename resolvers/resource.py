"""Resources: creating them (managers) and answering free/busy over a window."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import strawberry

from db.enums import ChangeOp, ResourceKind
from db.models import Resource
from db.policies.resource import RESOURCES
from db.queries.availability import busy_by_resource
from db.queries.logs import record_audit, record_change
from db.rules.availability import Interval, clip, free_intervals, merge_busy
from resolvers import validation as v
from resolvers.booking_query import window_between
from resolvers.mutation import not_found, run_mutation, validation
from schema.core.ids import decode_id, to_global_id
from schema.resource.inputs import CreateResourceInput
from schema.resource.payloads import CreateResourcePayload
from schema.resource.types import (
    BusyIntervalType,
    FreeIntervalType,
    ResourceAvailabilityType,
    ResourceType,
)
from server.context import Context

MAX_BUFFER_MINUTES = 7 * 24 * 60
MAX_AVAILABILITY_RESOURCES = 100


async def create_resource(ctx: Context, input: CreateResourceInput) -> CreateResourcePayload:
    async def work() -> CreateResourcePayload:
        user = ctx.require_role(*RESOURCES.editor_roles)
        v.number_range(input.capacity, "input.capacity", low=1, high=1_000_000)
        v.number_range(input.buffer_before_minutes, "input.bufferBeforeMinutes", low=0, high=MAX_BUFFER_MINUTES)
        v.number_range(input.buffer_after_minutes, "input.bufferAfterMinutes", low=0, high=MAX_BUFFER_MINUTES)
        resource = Resource(
            name=v.text(input.name, "input.name", max_length=200),
            kind=ResourceKind(input.kind),
            description=v.text(input.description, "input.description", max_length=5000, required=False),
            location=v.text(input.location, "input.location", max_length=300, required=False),
            capacity=input.capacity,
            requires_approval=input.requires_approval,
            buffer_before_minutes=input.buffer_before_minutes,
            buffer_after_minutes=input.buffer_after_minutes,
        )
        ctx.session.add(resource)
        await ctx.session.flush()
        await record_change(ctx.session, "Resource", resource.id, ChangeOp.CREATED,
                      {"module": "RESOURCES", "resource_id": resource.id}, actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="create", entity_type="Resource",
                     entity_id=resource.id, after={"name": resource.name, "kind": resource.kind.value})
        await ctx.commit()
        return CreateResourcePayload(resource=ResourceType.from_model(resource), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateResourcePayload(resource=None, errors=errors))


async def resource_availability(
    ctx: Context, resource_ids: Sequence[str], start: datetime, end: datetime, slot_minutes: int | None
) -> list[ResourceAvailabilityType]:
    """Busy blocks and bookable free intervals per resource, in the order asked."""
    ctx.require_user()
    window = window_between(start, end, "", max_days=ctx.settings.max_window_days)
    if len(resource_ids) > MAX_AVAILABILITY_RESOURCES:
        raise validation(f"At most {MAX_AVAILABILITY_RESOURCES} resources at a time.", "resourceIds")
    v.number_range(slot_minutes, "slotMinutes", low=1, high=24 * 60)
    ids = list(dict.fromkeys(decode_id(rid, "Resource", field="resourceIds") for rid in resource_ids))
    # Through the request's by-id loader, so the answer's `resource` fields reuse these rows.
    loaded = await ctx.loaders.by_id(Resource).load_many(ids)
    resources = {row.id: row for row in loaded if row is not None}
    for rid in ids:
        if rid not in resources:
            raise not_found(f"Resource {to_global_id('Resource', rid)}", "resourceIds")
    if not ids:
        return []
    reach = Interval(
        window.start - timedelta(minutes=max(r.buffer_before_minutes for r in resources.values())),
        window.end + timedelta(minutes=max(r.buffer_after_minutes for r in resources.values())),
    )
    busy = await busy_by_resource(ctx.session, ctx.viewer, ids, reach)
    min_length = timedelta(minutes=slot_minutes or 0)
    answer: list[ResourceAvailabilityType] = []
    for rid in ids:
        resource, spans = resources[rid], busy[rid]
        blocks = merge_busy(spans.spans)
        free = free_intervals(
            blocks, window, buffer_before=timedelta(minutes=resource.buffer_before_minutes),
            buffer_after=timedelta(minutes=resource.buffer_after_minutes), min_length=min_length,
        ) if resource.is_active else []
        answer.append(ResourceAvailabilityType(
            resource=ResourceType.from_model(resource),
            busy=[
                BusyIntervalType(start=b.start, end=b.end, booking_ids=[
                    strawberry.ID(to_global_id("Booking", bid))
                    for bid in b.booking_ids if bid in spans.visible_booking_ids
                ])
                for b in clip(blocks, window)
            ],
            free=[FreeIntervalType(start=f.start, end=f.end) for f in free],
        ))
    return answer
