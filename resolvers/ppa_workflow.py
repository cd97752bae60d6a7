"""advancePpaStage and decideBudget: the rules of db/rules/ppa_workflow.py, applied under a row lock.

Each move writes its PpaTransition (who, when, note), the change-log row and the
audit row in the same transaction as the PPA update. The row lock (SELECT ... FOR
UPDATE) serializes concurrent moves: the second sees the first's result and is
judged against it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetDecision, ChangeOp, PpaStage, TransitionKind
from db.models import Ppa, PpaTransition
from db.policies.ppa import BUDGET_DECIDERS
from db.queries.logs import record_audit, record_change
from db.rules.ppa_workflow import (
    TransitionRefused,
    check_stage_move,
    decide_budget,
    status_after_stage,
)
from jobs.queue import enqueue
from resolvers import ppa_fields as f
from resolvers.mutation import run_mutation, validation
from schema.core.errors import DomainError, ErrorCode
from schema.ppa.inputs import AdvancePpaStageInput, DecideBudgetInput
from schema.ppa.payloads import AdvancePpaStagePayload, DecideBudgetPayload
from schema.ppa.types import PpaTransitionType, PpaType
from server.context import Context


async def apply(session: AsyncSession, pk: int, values: dict[str, Any]) -> Ppa:
    stmt = (
        update(Ppa)
        .where(Ppa.id == pk)
        .values(**values, version=Ppa.version + 1, updated_at=func.now())
        .returning(Ppa)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.scalars(stmt)).one()


async def add_transition(session: AsyncSession, **values: Any) -> PpaTransition:
    transition = PpaTransition(**values)
    session.add(transition)
    await session.flush()
    return transition


async def advance_ppa_stage(ctx: Context, input: AdvancePpaStageInput) -> AdvancePpaStagePayload:
    async def work() -> AdvancePpaStagePayload:
        user = ctx.require_writer()
        session = ctx.session
        pk, note, target = f.ppa_id(input.ppa_id), f.note(input.note), PpaStage(input.to_stage)
        ppa = await f.editable_ppa(ctx, pk, for_update=True)
        if input.expected_version is not None and ppa.version != input.expected_version:
            raise DomainError.one(ErrorCode.CONFLICT, "The PPA was changed by someone else; reload it and try again.",
                                  "input.expectedVersion")
        try:
            check_stage_move(ppa.stage, target, ppa.status, ppa.budget_status)
        except TransitionRefused as refused:
            raise DomainError.one(ErrorCode.INVALID_TRANSITION, str(refused), "input.toStage") from None
        source, old_status = ppa.stage, ppa.status
        ppa = await apply(session, pk, {"stage": target, "stage_entered_at": func.now(),
                                        "status": status_after_stage(target, ppa.status)})
        transition = await add_transition(session, ppa_id=pk, kind=TransitionKind.STAGE, from_stage=source.value,
                                          to_stage=target.value, actor_id=user.id, note=note)
        await record_change(session, "Ppa", pk, ChangeOp.UPDATED,
                      f.ppa_change(ppa, from_stage=source.value, transition_id=transition.id), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="advance_stage", entity_type="Ppa", entity_id=pk,
                     before={"stage": source.value, "status": old_status.value},
                     after={"stage": target.value, "status": ppa.status.value, "note": note})
        await ctx.commit()
        return AdvancePpaStagePayload(ppa=PpaType.from_model(ppa), transition=PpaTransitionType.from_model(transition),
                                      errors=[])

    return await run_mutation(
        ctx, work, lambda errors: AdvancePpaStagePayload(ppa=None, transition=None, errors=errors)
    )


async def decide_ppa_budget(ctx: Context, input: DecideBudgetInput) -> DecideBudgetPayload:
    async def work() -> DecideBudgetPayload:
        user = ctx.require_role(*BUDGET_DECIDERS)
        session = ctx.session
        pk, note, decision = f.ppa_id(input.ppa_id), f.note(input.note), BudgetDecision(input.decision)
        amount = f.money(input.approved_amount, "input.approvedAmount")
        ppa = await f.editable_ppa(ctx, pk, for_update=True)
        try:
            outcome = decide_budget(ppa.budget_stage, ppa.budget_status, decision)
        except TransitionRefused as refused:
            raise DomainError.one(ErrorCode.INVALID_TRANSITION, str(refused), "input.decision") from None
        if amount is not None and not outcome.approved:
            raise validation("approvedAmount applies only to the final approval.", "input.approvedAmount")
        before = {"budget_stage": ppa.budget_stage.value, "budget_status": ppa.budget_status.value}
        values: dict[str, Any] = {"budget_stage": outcome.stage, "budget_status": outcome.status}
        if outcome.approved:
            values["budget_approved"] = amount if amount is not None else ppa.budget_allocated
        source = ppa.budget_stage
        ppa = await apply(session, pk, values)
        transition = await add_transition(
            session, ppa_id=pk, kind=TransitionKind.BUDGET, from_stage=source.value, to_stage=outcome.stage.value,
            decision=decision, actor_id=user.id, note=note,
        )
        await record_change(session, "Ppa", pk, ChangeOp.UPDATED,
                      f.ppa_change(ppa, decision=decision.value, transition_id=transition.id), actor_id=user.id)
        record_audit(session, actor_id=user.id, action="decide_budget", entity_type="Ppa", entity_id=pk,
                     before=before, after={"budget_stage": outcome.stage.value, "budget_status": outcome.status.value,
                                           "decision": decision.value, "note": note,
                                           "budget_approved": None if ppa.budget_approved is None else str(ppa.budget_approved)})
        await ctx.commit()
        await enqueue(ctx, "notify_budget_decision", pk, transition.id)
        return DecideBudgetPayload(ppa=PpaType.from_model(ppa), transition=PpaTransitionType.from_model(transition),
                                   errors=[])

    return await run_mutation(ctx, work, lambda errors: DecideBudgetPayload(ppa=None, transition=None, errors=errors))
