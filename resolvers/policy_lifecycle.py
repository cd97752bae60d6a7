"""updatePolicy: edit a policy and move it along its lifecycle, with optimistic concurrency.

The effective and review dates are the policy's POLICY calendar entries (the calendar
reads them from the row), so the change row carries them for live calendars."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from strawberry import UNSET

from db.enums import PolicyStatus
from db.models import Policy, PpaPolicy
from db.rules.lifecycles import check_policy
from resolvers import ppa_fields as f
from resolvers import validation as v
from resolvers.lifecycle import Versioned, allowed_move, changed_references, update_row
from resolvers.mutation import run_mutation
from resolvers.policy import policy_change
from schema.policy.inputs import UpdatePolicyInput
from schema.policy.payloads import UpdatePolicyPayload
from schema.policy.types import PolicyType
from server.context import Context

REFERENCES = (("community_id", "Community", "input.communityId"), ("owner_id", "User", "input.ownerId"))


def snapshot(p: Policy) -> dict[str, Any]:
    return {"title": p.title, "code": p.code, "status": p.status.value,
            "effective_on": p.effective_on.isoformat() if p.effective_on else None,
            "review_on": p.review_on.isoformat() if p.review_on else None}


async def changed_values(ctx: Context, input: UpdatePolicyInput, current: Policy) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if input.title is not UNSET:
        values["title"] = f.title(v.required(input.title, "input.title"))
    if input.code is not UNSET:
        values["code"] = f.code(input.code)
    if input.description is not UNSET:
        values["description"] = f.description(v.required(input.description, "input.description"))
    await changed_references(ctx, input, REFERENCES, values)
    if input.effective_on is not UNSET:
        values["effective_on"] = input.effective_on
    if input.review_on is not UNSET:
        values["review_on"] = input.review_on
    f.dates(values.get("effective_on", current.effective_on), values.get("review_on", current.review_on),
            "input.effectiveOn", "input.reviewOn")
    if input.status is not UNSET:
        status = PolicyStatus(v.required(input.status, "input.status"))
        allowed_move(check_policy, current.status, status, values.get("effective_on", current.effective_on))
        values["status"] = status
    return values


POLICIES = Versioned(Policy, "Policy", "Policy", snapshot)


async def update_policy(ctx: Context, input: UpdatePolicyInput) -> UpdatePolicyPayload:
    async def work() -> UpdatePolicyPayload:
        user = ctx.require_writer()

        async def change(row: Policy) -> dict[str, Any]:
            ppa_ids = list(await ctx.session.scalars(select(PpaPolicy.ppa_id).where(PpaPolicy.policy_id == row.id)))
            return policy_change(row, ppa_ids)

        row = await update_row(ctx, POLICIES, input.id, input.expected_version, user,
                               values=lambda current: changed_values(ctx, input, current), change=change)
        return UpdatePolicyPayload(policy=PolicyType.from_model(row), errors=[])

    return await run_mutation(ctx, work, lambda errors: UpdatePolicyPayload(policy=None, errors=errors))
