"""PPA mutations: create (with its default tasks) and update (optimistic version check).

Concurrency: ``updatePpa`` carries ``expectedVersion``; the UPDATE has
``WHERE id = :id AND version = :v`` (db/queries/ppa.py), so of two updates from
the same version one applies and the other answers CONFLICT. Stage moves and
budget decisions (resolvers/ppa_workflow.py) lock the row and bump the version too.
"""
from __future__ import annotations

from typing import Any

import strawberry

from db.enums import ChangeOp, PpaStage, PpaStatus, TemplateKind, TransitionKind
from db.models import Ppa, PpaTransition
from db.policies.ppa import may_change_budget, may_reassign
from db.queries.logs import record_audit, record_change
from db.queries.ppa import link_needs, link_policies, update_ppa_versioned, upsert_stage_schedule
from db.queries.task_generation import generate_default_tasks
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.mutation import run_mutation, validation
from schema.core.errors import DomainError, ErrorCode
from schema.core.ids import decode_id
from schema.ppa.inputs import CreatePpaInput, PpaStageDatesInput, UpdatePpaInput
from schema.ppa.payloads import CreatePpaPayload, UpdatePpaPayload
from schema.ppa.types import PpaType
from server.context import Context

UNSET: Any = strawberry.UNSET


def stage_dates(items: list[PpaStageDatesInput]) -> list[tuple[TransitionKind, str, Any, Any]]:
    if len(items) > len(PpaStage) + 5:
        raise validation("Too many stage dates.", "input.stageDates")
    seen: set[tuple[TransitionKind, str]] = set()
    result = []
    for n, item in enumerate(items):
        field = f"input.stageDates.{n}"
        kind, stage = f.stage_of(item.workflow_stage, item.budget_stage, field)
        if (kind, stage) in seen:
            raise validation("Each stage may be given once.", field)
        seen.add((kind, stage))
        start, end = f.dates(item.starts_on, item.ends_on, f"{field}.startsOn", f"{field}.endsOn")
        result.append((kind, stage, start, end))
    return result


async def create_ppa(ctx: Context, input: CreatePpaInput) -> CreatePpaPayload:
    async def work() -> CreatePpaPayload:
        user = ctx.require_writer()
        session = ctx.session
        start, end = f.dates(input.starts_on, input.ends_on, "input.startsOn", "input.endsOn")
        status = PpaStatus(input.status) if input.status is not None else PpaStatus.ACTIVE
        if status == PpaStatus.COMPLETED:
            raise validation("A new PPA cannot be COMPLETED.", "input.status")
        ppa = Ppa(
            title=f.title(input.title), code=f.code(input.code), description=f.description(input.description),
            category=input.category, status=status, stage=PpaStage.NEED_IDENTIFICATION,
            starts_on=start, ends_on=end,
            budget_allocated=f.money(input.budget_allocated, "input.budgetAllocated"),
            community_id=await f.reference(ctx, input.community_id, "Community", "input.communityId"),
            lead_team_id=await f.reference(ctx, input.lead_team_id, "Team", "input.leadTeamId"),
            owner_id=await f.reference(ctx, input.owner_id, "User", "input.ownerId") or user.id,
            sector=f.sector(input.sector),
        )
        schedule = stage_dates(input.stage_dates)
        need_ids = await f.references(ctx, input.need_ids, "Need", "input.needIds")
        policy_ids = await f.references(ctx, input.policy_ids, "Policy", "input.policyIds")
        session.add(ppa)
        await session.flush()
        await link_needs(session, ppa.id, need_ids)
        await link_policies(session, ppa.id, policy_ids)
        for kind, stage, stage_start, stage_end in schedule:
            row = await upsert_stage_schedule(session, ppa.id, kind, stage, stage_start, stage_end)
            await record_change(session, "PpaStage", row.id, ChangeOp.CREATED, f.ppa_change(
                ppa, start=stage_start.isoformat(), end=stage_end.isoformat()), actor_id=user.id)
        session.add(PpaTransition(ppa_id=ppa.id, kind=TransitionKind.STAGE, from_stage=None,
                                  to_stage=ppa.stage.value, actor_id=user.id, note="Created."))
        await generate_default_tasks(session, TemplateKind.PPA, ppa, actor_id=user.id)
        await session.refresh(ppa)  # generation recomputed its progress
        await record_change(session, "Ppa", ppa.id, ChangeOp.CREATED, f.ppa_change(ppa, need_ids=need_ids),
                      actor_id=user.id)
        record_audit(session, actor_id=user.id, action="create", entity_type="Ppa", entity_id=ppa.id,
                     after=f.ppa_snapshot(ppa))
        await ctx.commit()
        return CreatePpaPayload(ppa=PpaType.from_model(ppa), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreatePpaPayload(ppa=None, errors=errors))


async def update_values(ctx: Context, input: UpdatePpaInput, current: Ppa) -> dict[str, Any]:
    """The columns the input changes, validated (omitted fields are left alone)."""
    values: dict[str, Any] = {}
    if input.title is not UNSET:
        values["title"] = f.title(v.required(input.title, "input.title"))
    if input.code is not UNSET:
        values["code"] = f.code(input.code)
    if input.sector is not UNSET:
        values["sector"] = f.sector(v.required(input.sector, "input.sector"))
    if input.description is not UNSET:
        values["description"] = f.description(v.required(input.description, "input.description"))
    if input.category is not UNSET:
        values["category"] = v.required(input.category, "input.category")
    if input.status is not UNSET:
        status = PpaStatus(v.required(input.status, "input.status"))
        if status == PpaStatus.COMPLETED and current.stage != PpaStage.COMPLETED:
            raise validation("A PPA becomes COMPLETED by advancing it to the COMPLETED stage.", "input.status")
        values["status"] = status
    if input.starts_on is not UNSET:
        values["starts_on"] = f.day(input.starts_on, "input.startsOn")
    if input.ends_on is not UNSET:
        values["ends_on"] = f.day(input.ends_on, "input.endsOn")
    f.dates(values.get("starts_on", current.starts_on), values.get("ends_on", current.ends_on),
            "input.startsOn", "input.endsOn")
    if input.budget_allocated is not UNSET:
        values["budget_allocated"] = f.money(v.required(input.budget_allocated, "input.budgetAllocated"),
                                             "input.budgetAllocated")
    for attr, type_name, field in (("community_id", "Community", "input.communityId"),
                                   ("lead_team_id", "Team", "input.leadTeamId"),
                                   ("owner_id", "User", "input.ownerId")):
        value = getattr(input, attr)
        if value is not UNSET:
            values[attr] = await f.reference(ctx, value, type_name, field)
    _check_management_fields(ctx, values, current)
    return values


def _check_management_fields(ctx: Context, values: dict[str, Any], current: Ppa) -> None:
    """Budget figure, owner and lead team of an existing PPA change only by MANAGER/ADMIN
    (``db.policies.ppa``); resending the current value is not a change."""
    rules = (("budget_allocated", "input.budgetAllocated", may_change_budget, "the budget figure"),
             ("owner_id", "input.ownerId", may_reassign, "the owner"),
             ("lead_team_id", "input.leadTeamId", may_reassign, "the lead team"))
    for attr, field, allowed, what in rules:
        if attr in values and values[attr] != getattr(current, attr) and not allowed(ctx.viewer):
            raise DomainError.one(ErrorCode.PERMISSION_DENIED, f"Only MANAGER and ADMIN may change {what} of a PPA.",
                                  field)


async def update_ppa(ctx: Context, input: UpdatePpaInput) -> UpdatePpaPayload:
    async def work() -> UpdatePpaPayload:
        user = ctx.require_writer()
        session = ctx.session
        pk = decode_id(input.id, "Ppa", field="input.id")
        current = await f.editable_ppa(ctx, pk, "id")
        before = f.ppa_snapshot(current)
        old_start, old_end = current.starts_on, current.ends_on
        values = await update_values(ctx, input, current)
        ppa = await update_ppa_versioned(session, pk, input.expected_version, values)
        if ppa is None:
            raise DomainError.one(ErrorCode.CONFLICT, "The PPA was changed by someone else; reload it and try again.",
                                  "input.expectedVersion")
        await record_change(session, "Ppa", ppa.id, ChangeOp.UPDATED,
                      f.ppa_change(ppa, old_start=old_start, old_end=old_end), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="update", entity_type="Ppa", entity_id=ppa.id,
                     before=before, after=f.ppa_snapshot(ppa))
        await ctx.commit()
        return UpdatePpaPayload(ppa=PpaType.from_model(ppa), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdatePpaPayload(ppa=None, errors=errors))
