"""Policies: the list and createPolicy (with its default task set; module POLICY)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select

from db.enums import CalendarModule, ChangeOp, PolicyStatus, TemplateKind
from db.models import Policy, PpaPolicy
from db.queries.logs import record_audit, record_change
from db.queries.policy import PolicyCriteria, policies_query
from db.queries.task_generation import generate_default_tasks
from resolvers import ppa_fields as f
from resolvers.mutation import run_mutation
from resolvers.need import search
from schema.core.connection import Connection, paginate
from schema.core.ids import decode_ids, decode_optional_id
from schema.policy.inputs import CreatePolicyInput, PolicyFilter
from schema.policy.payloads import CreatePolicyPayload
from schema.policy.types import PolicyType
from server.context import Context


async def resolve_policies(
    ctx: Context, filter: PolicyFilter | None, first: int | None, after: str | None,
    order: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Connection[PolicyType]:
    ctx.require_user()
    fl = filter or PolicyFilter()
    criteria = PolicyCriteria(
        viewer=ctx.viewer,
        statuses=fl.statuses,
        community_ids=decode_ids(fl.community_ids, "Community", field="filter.communityIds"),
        owner_ids=decode_ids(fl.owner_ids, "User", field="filter.ownerIds"),
        ppa_id=decode_optional_id(fl.ppa_id, "Ppa", field="filter.ppaId"),
        search=search(fl.search), effective_from=fl.effective_from, effective_to=fl.effective_to,
        review_from=fl.review_from, review_to=fl.review_to,
    )
    stmt = policies_query(criteria)
    if order is not None:
        stmt = order(stmt)
    return await paginate(ctx.session, stmt, first=first, after=after, to_node=PolicyType.from_model)


def policy_change(p: Policy, ppa_ids: list[int]) -> dict[str, Any]:
    return {"module": CalendarModule.POLICY.value,
            "start": p.effective_on.isoformat() if p.effective_on else None,
            "end": p.review_on.isoformat() if p.review_on else None,
            "status": p.status.value, "owner_id": p.owner_id, "ppa_ids": ppa_ids}


async def create_policy(ctx: Context, input: CreatePolicyInput) -> CreatePolicyPayload:
    async def work() -> CreatePolicyPayload:
        user = ctx.require_writer()
        session = ctx.session
        effective_on, review_on = f.dates(input.effective_on, input.review_on, "input.effectiveOn", "input.reviewOn")
        policy = Policy(
            title=f.title(input.title), code=f.code(input.code), description=f.description(input.description),
            status=PolicyStatus(input.status) if input.status is not None else PolicyStatus.DRAFT,
            community_id=await f.reference(ctx, input.community_id, "Community", "input.communityId"),
            owner_id=await f.reference(ctx, input.owner_id, "User", "input.ownerId") or user.id,
            effective_on=effective_on, review_on=review_on,
        )
        ppa_ids = await f.references(ctx, input.ppa_ids, "Ppa", "input.ppaIds")
        session.add(policy)
        await session.flush()
        session.add_all([PpaPolicy(ppa_id=pk, policy_id=policy.id) for pk in ppa_ids])
        await generate_default_tasks(session, TemplateKind.POLICY, policy, actor_id=user.id)
        await record_change(session, "Policy", policy.id, ChangeOp.CREATED, policy_change(policy, ppa_ids), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="create", entity_type="Policy", entity_id=policy.id,
                     after={"title": policy.title, "code": policy.code, "ppa_ids": ppa_ids})
        await ctx.commit()
        return CreatePolicyPayload(policy=PolicyType.from_model(policy), errors=[])

    return await run_mutation(ctx, work, lambda errors: CreatePolicyPayload(policy=None, errors=errors))
