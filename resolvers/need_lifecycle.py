"""updateNeed: edit a need and move it along its lifecycle, with optimistic concurrency."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func
from strawberry import UNSET

from db.enums import NeedStatus, TaskPriority
from db.models import Need
from db.rules.lifecycles import check_need
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.lifecycle import Versioned, allowed_move, changed_references, update_row
from resolvers.mutation import run_mutation
from resolvers.need import need_change
from schema.need.inputs import UpdateNeedInput
from schema.need.payloads import UpdateNeedPayload
from schema.need.types import NeedType
from server.context import Context

REFERENCES = (("community_id", "Community", "input.communityId"), ("assessment_id", "Assessment", "input.assessmentId"))


def score(value: float | None) -> Decimal | None:
    if value is None:
        return None
    v.number_range(value, "input.priorityScore", low=0, high=100)
    return Decimal(str(value)).quantize(Decimal("0.01"))


def snapshot(need: Need) -> dict[str, Any]:
    return {"title": need.title, "status": need.status.value, "priority": need.priority.value,
            "priority_score": str(need.priority_score) if need.priority_score is not None else None}


async def changed_values(ctx: Context, input: UpdateNeedInput, need: Need) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if input.title is not UNSET:
        values["title"] = f.title(v.required(input.title, "input.title"))
    if input.description is not UNSET:
        values["description"] = f.description(v.required(input.description, "input.description"))
    if input.category is not UNSET:
        values["category"] = v.text(v.required(input.category, "input.category"), "input.category",
                                    max_length=100, required=False)
    if input.priority is not UNSET:
        values["priority"] = TaskPriority(v.required(input.priority, "input.priority"))
    if input.priority_score is not UNSET:
        values["priority_score"] = score(input.priority_score)
    if input.identified_on is not UNSET:
        values["identified_on"] = f.day(input.identified_on, "input.identifiedOn")
    await changed_references(ctx, input, REFERENCES, values)
    if input.status is not UNSET:
        status = NeedStatus(v.required(input.status, "input.status"))
        allowed_move(check_need, need.status, status, values.get("priority_score", need.priority_score))
        values["status"] = status
        if status != need.status:
            values["status_changed_at"] = func.now()
    return values


NEEDS = Versioned(Need, "Need", "Need", snapshot)


async def update_need(ctx: Context, input: UpdateNeedInput) -> UpdateNeedPayload:
    async def work() -> UpdateNeedPayload:
        user = ctx.require_writer()
        need = await update_row(ctx, NEEDS, input.id, input.expected_version, user,
                                values=lambda current: changed_values(ctx, input, current), change=need_change)
        return UpdateNeedPayload(need=NeedType.from_model(need), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdateNeedPayload(need=None, errors=errors))
