"""PPA milestones, stage dates, and links to needs and policies."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChangeOp
from db.models import PpaMilestone
from db.queries.logs import record_audit, record_change
from db.queries.ppa import link_needs, link_policies, stage_schedule_of, upsert_stage_schedule
from resolvers import ppa_fields as f
from resolvers.mutation import run_mutation, validation
from resolvers.targets import readable_target
from schema.core.ids import decode_id
from schema.ppa.inputs import (
    AddPpaMilestoneInput,
    CompletePpaMilestoneInput,
    LinkNeedsToPpaInput,
    LinkPoliciesToPpaInput,
    SchedulePpaStageInput,
)
from schema.ppa.payloads import (
    AddPpaMilestonePayload,
    CompletePpaMilestonePayload,
    LinkNeedsToPpaPayload,
    LinkPoliciesToPpaPayload,
    SchedulePpaStagePayload,
)
from schema.ppa.types import PpaMilestoneType, PpaStageType, PpaType
from server.context import Context

P = TypeVar("P")


async def add_ppa_milestone(ctx: Context, input: AddPpaMilestoneInput) -> AddPpaMilestonePayload:
    async def work() -> AddPpaMilestonePayload:
        user = ctx.require_writer()
        session = ctx.session
        pk, title = f.ppa_id(input.ppa_id), f.title(input.title)
        due_on = f.day(input.due_on, "input.dueOn")
        ppa = await f.editable_ppa(ctx, pk)
        milestone = PpaMilestone(ppa_id=pk, title=title, due_on=due_on)
        session.add(milestone)
        await session.flush()
        await record_change(session, "PpaMilestone", milestone.id, ChangeOp.CREATED,
                      f.ppa_change(ppa, start=due_on.isoformat(), end=due_on.isoformat()), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="add_milestone", entity_type="Ppa", entity_id=pk,
                     after={"milestone_id": milestone.id, "title": title, "due_on": due_on.isoformat()})
        await ctx.commit()
        return AddPpaMilestonePayload(milestone=PpaMilestoneType.from_model(milestone), errors=[])

    return await run_mutation(ctx, work, lambda errors: AddPpaMilestonePayload(milestone=None, errors=errors))


async def complete_ppa_milestone(ctx: Context, input: CompletePpaMilestoneInput) -> CompletePpaMilestonePayload:
    async def work() -> CompletePpaMilestonePayload:
        user = ctx.require_writer()
        session = ctx.session
        pk = decode_id(input.id, "PpaMilestone", field="input.id")
        milestone = await readable_target(ctx, PpaMilestone, pk, "Milestone", "id")
        ppa = await f.editable_ppa(ctx, milestone.ppa_id, "id")
        if input.completed != (milestone.completed_at is not None):
            milestone.completed_at = datetime.now(UTC) if input.completed else None
            await session.flush()
            day = milestone.due_on.isoformat()
            await record_change(session, "PpaMilestone", milestone.id, ChangeOp.UPDATED,
                          f.ppa_change(ppa, start=day, end=day, old_start=milestone.due_on, old_end=milestone.due_on),
                          actor_id=user.id)
            record_audit(session, actor_id=user.id, action="complete_milestone" if input.completed else "reopen_milestone",
                         entity_type="Ppa", entity_id=ppa.id, after={"milestone_id": milestone.id})
            await ctx.commit()
        return CompletePpaMilestonePayload(milestone=PpaMilestoneType.from_model(milestone), errors=[])

    return await run_mutation(ctx, work, lambda errors: CompletePpaMilestonePayload(milestone=None, errors=errors))


async def schedule_ppa_stage(ctx: Context, input: SchedulePpaStageInput) -> SchedulePpaStagePayload:
    async def work() -> SchedulePpaStagePayload:
        user = ctx.require_writer()
        session = ctx.session
        pk = f.ppa_id(input.ppa_id)
        kind, stage = f.stage_of(input.workflow_stage, input.budget_stage, "input")
        start, end = f.dates(input.starts_on, input.ends_on, "input.startsOn", "input.endsOn")
        assert start is not None and end is not None
        ppa = await f.editable_ppa(ctx, pk)
        old = await stage_schedule_of(session, pk, kind, stage)
        old_span = (old.starts_on, old.ends_on) if old is not None else (None, None)
        row = await upsert_stage_schedule(session, pk, kind, stage, start, end)
        await record_change(session, "PpaStage", row.id, ChangeOp.UPDATED if old is not None else ChangeOp.CREATED,
                      f.ppa_change(ppa, start=start.isoformat(), end=end.isoformat(),
                                   old_start=old_span[0], old_end=old_span[1]), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="schedule_stage", entity_type="Ppa", entity_id=pk,
                     after={"kind": kind.value, "stage": stage, "starts_on": start.isoformat(), "ends_on": end.isoformat()})
        await ctx.commit()
        return SchedulePpaStagePayload(stage=PpaStageType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: SchedulePpaStagePayload(stage=None, errors=errors))


@dataclass(frozen=True, slots=True)
class LinkKind:
    """What a PPA can be linked to: needs or policies."""

    type_name: str
    field: str
    change_key: str
    action: str
    link: Callable[[AsyncSession, int, Sequence[int]], Awaitable[int]]


NEEDS = LinkKind("Need", "input.needIds", "need_ids", "link_needs", link_needs)
POLICIES = LinkKind("Policy", "input.policyIds", "policy_ids", "link_policies", link_policies)


async def link_needs_to_ppa(ctx: Context, input: LinkNeedsToPpaInput) -> LinkNeedsToPpaPayload:
    return await link_to_ppa(ctx, input.ppa_id, input.need_ids, NEEDS, LinkNeedsToPpaPayload)


async def link_policies_to_ppa(ctx: Context, input: LinkPoliciesToPpaInput) -> LinkPoliciesToPpaPayload:
    return await link_to_ppa(ctx, input.ppa_id, input.policy_ids, POLICIES, LinkPoliciesToPpaPayload)


async def link_to_ppa(
    ctx: Context, ppa_id: str, target_ids: Sequence[str] | None, kind: LinkKind, payload: Callable[..., P]
) -> P:
    """Idempotent: pairs already linked are skipped (INSERT ... ON CONFLICT DO NOTHING)."""

    async def work() -> P:
        user = ctx.require_writer()
        session = ctx.session
        pk = f.ppa_id(ppa_id)
        if not target_ids:
            raise validation(f"Give at least one {kind.type_name.lower()}.", kind.field)
        ppa = await f.editable_ppa(ctx, pk)
        ids = await f.references(ctx, target_ids, kind.type_name, kind.field)
        linked = await kind.link(session, pk, ids)
        if linked:
            change = {**f.ppa_change(ppa), kind.change_key: ids}
            await record_change(session, "Ppa", pk, ChangeOp.UPDATED, change, actor_id=user.id)
            record_audit(session, actor_id=user.id, action=kind.action, entity_type="Ppa", entity_id=pk,
                         after={kind.change_key: ids})
        await ctx.commit()
        return payload(ppa=PpaType.from_model(ppa), linked_count=linked, errors=[])

    return await run_mutation(ctx, work, lambda errors: payload(ppa=None, linked_count=0, errors=errors))
