from __future__ import annotations

from datetime import datetime

import strawberry

from db.models import Resource
from db.queries.resource import resources_query
from resolvers.resource import resource_availability
from schema.core.connection import Connection, paginate
from schema.core.ordering import OrderInput, apply_order, sortable
from schema.resource.inputs import ResourceFilter
from schema.resource.types import ResourceAvailabilityType, ResourceType

RESOURCE_ORDER = sortable("Resource", {"NAME": Resource.name, "KIND": Resource.kind, "CAPACITY": Resource.capacity,
                                       "CREATED_AT": Resource.created_at}, Resource.id)


@RESOURCE_ORDER.input
class ResourceOrder(OrderInput):
    pass


@strawberry.type
class ResourceQuery:
    @strawberry.field
    async def resources(
        self, info: strawberry.Info, filter: ResourceFilter | None = None,
        order_by: ResourceOrder | None = None, first: int | None = None, after: str | None = None,
    ) -> Connection[ResourceType]:
        info.context.require_user()
        f = filter or ResourceFilter()
        stmt = resources_query(
            info.context.viewer, search=f.search, kinds=f.kinds, is_active=f.is_active, requires_approval=f.requires_approval
        )
        stmt = apply_order(stmt, RESOURCE_ORDER, order_by)
        return await paginate(info.context.session, stmt, first=first, after=after, to_node=ResourceType.from_model)

    @strawberry.field(
        description="Free/busy per resource over [start, end) (at most ALMANAC_MAX_WINDOW_DAYS). "
        "slotMinutes keeps only free intervals at least that long."
    )
    async def resource_availability(
        self, info: strawberry.Info, resource_ids: list[strawberry.ID], start: datetime, end: datetime,
        slot_minutes: int | None = None,
    ) -> list[ResourceAvailabilityType]:
        return await resource_availability(info.context, resource_ids, start, end, slot_minutes)
