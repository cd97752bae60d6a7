"""Needs: the list and createNeed (change-log module MANA)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select

from db.enums import CalendarModule, ChangeOp, NeedStatus, TaskPriority
from db.models import Need
from db.queries.logs import record_audit, record_change
from db.queries.need import NeedCriteria, needs_query
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.mutation import run_mutation, validation
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_ids, decode_optional_id
from schema.need.inputs import CreateNeedInput, NeedFilter
from schema.need.payloads import CreateNeedPayload
from schema.need.types import NeedType
from server.context import Context


def search(value: str | None) -> str | None:
    if value is not None and len(value) > 200:
        raise validation("At most 200 characters.", "filter.search")
    return value


async def resolve_needs(
    ctx: Context, filter: NeedFilter | None, first: int | None, after: str | None,
    order: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[NeedType]:
    ctx.require_user()
    fl = filter or NeedFilter()
    criteria = NeedCriteria(
        viewer=ctx.viewer,
        statuses=fl.statuses, priorities=fl.priorities,
        community_ids=decode_ids(fl.community_ids, "Community", field="filter.communityIds"),
        assessment_id=decode_optional_id(fl.assessment_id, "Assessment", field="filter.assessmentId"),
        ppa_id=decode_optional_id(fl.ppa_id, "Ppa", field="filter.ppaId"),
        category=fl.category, search=search(fl.search),
        identified_from=fl.identified_from, identified_to=fl.identified_to,
    )
    stmt = needs_query(criteria)
    if order is not None:
        stmt = order(stmt)
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=NeedType.from_model)


def need_change(need: Need) -> dict[str, Any]:
    day = need.identified_on.isoformat() if need.identified_on else None
    return {"module": CalendarModule.MANA.value, "start": day, "end": day, "status": need.status.value,
            "community_id": need.community_id, "assessment_id": need.assessment_id}


async def create_need(ctx: Context, input: CreateNeedInput) -> CreateNeedPayload:
    async def work() -> CreateNeedPayload:
        user = ctx.require_writer()
        session = ctx.session
        need = Need(
            title=f.title(input.title), description=f.description(input.description),
            category=v.text(input.category, "input.category", max_length=100, required=False),
            priority=TaskPriority(input.priority) if input.priority is not None else TaskPriority.MEDIUM,
            status=NeedStatus(input.status) if input.status is not None else NeedStatus.IDENTIFIED,
            community_id=await f.reference(ctx, input.community_id, "Community", "input.communityId"),
            assessment_id=await f.reference(ctx, input.assessment_id, "Assessment", "input.assessmentId"),
            identified_on=f.day(input.identified_on, "input.identifiedOn"),
        )
        session.add(need)
        await session.flush()
        await record_change(session, "Need", need.id, ChangeOp.CREATED, need_change(need), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="create", entity_type="Need", entity_id=need.id,
                     after={"title": need.title, "status": need.status.value})
        await ctx.commit()
        return CreateNeedPayload(need=NeedType.from_model(need), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreateNeedPayload(need=None, errors=errors))
