"""The service catalog: services (MANAGER, ADMIN curate them) and the public calendar.

The catalog and the public calendar are open to anonymous callers; what they show
comes from the Service and Event policies (PUBLISHED services, PUBLIC events)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from strawberry import UNSET

from db.enums import ChangeOp, ServiceStatus
from db.models import Service, ServicePpa
from db.policies import ANONYMOUS, policy_for
from db.policies.service import SERVICES
from db.queries.calendar_events import event_entries
from db.queries.logs import record_audit, record_change
from db.rules.calendar_entries import CalendarEntry
from db.rules.lifecycles import check_move
from resolvers import ppa_fields as pf
from resolvers import validation as v
from resolvers.calendar import calendar_scope
from resolvers.lifecycle import Versioned, allowed_move, changed_references, update_row
from resolvers.mutation import run_mutation, validation
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_optional_id
from schema.service.inputs import CreateServiceInput, UpdateServiceInput
from schema.service.payloads import ServicePayload
from schema.service.types import ServiceType
from server.context import Context

SERVICE_MOVES = {
    ServiceStatus.DRAFT: frozenset({ServiceStatus.PUBLISHED}),
    ServiceStatus.PUBLISHED: frozenset({ServiceStatus.DRAFT, ServiceStatus.RETIRED}),
    ServiceStatus.RETIRED: frozenset({ServiceStatus.DRAFT}),
}
TEXTS = (("description", 20_000), ("eligibility", 20_000), ("requirements", 20_000), ("procedure", 20_000),
         ("contact", 500))


def snapshot(s: Service) -> dict[str, Any]:
    return {"name": s.name, "status": s.status.value, "owner_team_id": s.owner_team_id}


async def services(ctx: Context, statuses: Sequence[ServiceStatus], search: str | None, team_id: str | None,
                   first: int | None, after: str | None) -> Connection[ServiceType]:
    """Services in ``statuses`` the viewer may read (anonymous callers: PUBLISHED ones only)."""
    stmt = policy_for(Service).select(ctx.viewer).where(Service.status.in_(list(statuses)))
    if search:
        stmt = stmt.where(Service.name.ilike(f"%{v.text(search, 'search', max_length=200)}%"))
    owner = decode_optional_id(team_id, "Team", field="teamId")
    if owner is not None:
        stmt = stmt.where(Service.owner_team_id == owner)
    return await paginate(ctx.session, stmt.order_by(Service.name, Service.id), first=first, after=after,
                          to_node=ServiceType.from_model)


async def public_calendar(ctx: Context, start: datetime, end: datetime,
                          modules: Sequence[Any] | None) -> list[CalendarEntry]:
    """PUBLIC events (service schedules are events of module SERVICES) for anyone, signed in or not."""
    scope = calendar_scope(start=start, end=end, viewer=ANONYMOUS, max_days=ctx.settings.max_window_days,
                           modules=modules)
    return await event_entries(ctx.session, scope)


async def create_service(ctx: Context, input: CreateServiceInput) -> ServicePayload:
    async def work() -> ServicePayload:
        user = ctx.require_role(*SERVICES.editor_roles)
        values: dict[str, Any] = {}
        await changed_references(ctx, input, (("owner_team_id", "Team", "input.ownerTeamId"),), values)
        service = Service(name=v.text(input.name, "input.name", max_length=200), **values,
                          **{name: v.text(getattr(input, name), f"input.{name}", max_length=limit, required=False)
                             for name, limit in TEXTS})
        ppa_ids = await pf.references(ctx, input.ppa_ids, "Ppa", "input.ppaIds")
        ctx.session.add(service)
        await ctx.session.flush()
        ctx.session.add_all(ServicePpa(service_id=service.id, ppa_id=pk) for pk in ppa_ids)
        await record_change(ctx.session, "Service", service.id, ChangeOp.CREATED, snapshot(service), actor_id=user.id)
        record_audit(ctx.session, actor_id=user.id, action="create", entity_type="Service", entity_id=service.id,
                     after=snapshot(service))
        await ctx.commit()
        return ServicePayload(service=ServiceType.from_model(service), errors=[])

    return await run_mutation(ctx, work, lambda errors: ServicePayload(service=None, errors=errors))


async def changed_values(input: UpdateServiceInput, current: Service) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if input.name is not UNSET:
        values["name"] = v.text(v.required(input.name, "input.name"), "input.name", max_length=200)
    for name, limit in TEXTS:
        value = getattr(input, name)
        if value is not UNSET:
            values[name] = v.text(v.required(value, f"input.{name}"), f"input.{name}", max_length=limit,
                                  required=False)
    if input.status is not UNSET:
        status = ServiceStatus(v.required(input.status, "input.status"))
        allowed_move(check_move, SERVICE_MOVES, current.status, status)
        if status == ServiceStatus.PUBLISHED and not values.get("contact", current.contact):
            raise validation("A published service needs a contact.", "input.contact")
        values["status"] = status
    return values


VERSIONED = Versioned(Service, "Service", "Service", snapshot)


async def update_service(ctx: Context, input: UpdateServiceInput) -> ServicePayload:
    async def work() -> ServicePayload:
        user = ctx.require_role(*SERVICES.editor_roles)
        row = await update_row(ctx, VERSIONED, input.id, input.expected_version, user,  # unpublishing narrows it
                               values=lambda current: changed_values(input, current), change=snapshot, narrows=True)
        return ServicePayload(service=ServiceType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: ServicePayload(service=None, errors=errors))
