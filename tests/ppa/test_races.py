"""Races with real commits: concurrent stage moves and budget decisions apply once (row lock)."""
from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import BudgetDecision, BudgetStage, BudgetStatus, PpaCategory, PpaStage, Role
from db.models import Ppa, PpaTransition, User
from resolvers.ppa_workflow import advance_ppa_stage, decide_ppa_budget
from schema.ppa.inputs import AdvancePpaStageInput, DecideBudgetInput
from server.settings import Settings
from tests.ppa.helpers import gid
from tests.task.committed import cleanup, committed_user, context_for

RACERS = 5


async def committed_ppa(maker: async_sessionmaker[AsyncSession], **values: object) -> Ppa:
    async with maker() as session:
        ppa = Ppa(title=f"Race {uuid.uuid4().hex[:6]}", category=PpaCategory.PROJECT, **values)
        session.add(ppa)
        await session.commit()
        return ppa


async def run_all(maker: async_sessionmaker[AsyncSession], settings: Settings, user: User, call, inputs) -> list:  # type: ignore[no-untyped-def]
    contexts = [context_for(maker, settings, user) for _ in inputs]
    try:
        return await asyncio.gather(*(call(ctx, i) for ctx, i in zip(contexts, inputs, strict=True)))
    finally:
        for ctx in contexts:
            await ctx.close()


async def test_concurrent_final_approvals_approve_once(
    committed_sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    manager = await committed_user(committed_sessionmaker, Role.MANAGER)
    ppa = await committed_ppa(committed_sessionmaker, stage=PpaStage.BUDGET_APPROVAL, budget_allocated=Decimal("10.00"),
                              budget_stage=BudgetStage.LEGISLATIVE_APPROVAL, budget_status=BudgetStatus.IN_REVIEW)
    try:
        inputs = [DecideBudgetInput(ppa_id=gid("Ppa", ppa.id), decision=BudgetDecision.APPROVE, note=f"racer {n}")
                  for n in range(RACERS)]
        payloads = await run_all(committed_sessionmaker, settings, manager, decide_ppa_budget, inputs)
        outcomes = sorted("ok" if not p.errors else p.errors[0].code.value for p in payloads)
        assert outcomes == ["INVALID_TRANSITION"] * (RACERS - 1) + ["ok"]
        async with committed_sessionmaker() as check:
            transitions = (await check.scalars(select(PpaTransition).where(PpaTransition.ppa_id == ppa.id))).all()
            row = await check.get(Ppa, ppa.id)
            assert len(transitions) == 1
            assert row is not None and (row.budget_status, row.budget_approved, row.version) == \
                (BudgetStatus.APPROVED, Decimal("10.00"), 2)
    finally:
        await cleanup(committed_sessionmaker, users=[manager], ppa_ids=[ppa.id])


async def test_concurrent_stage_moves_apply_once(
    committed_sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    staff = await committed_user(committed_sessionmaker, Role.STAFF)
    ppa = await committed_ppa(committed_sessionmaker, stage=PpaStage.PLANNING, owner_id=staff.id)
    try:
        inputs = [AdvancePpaStageInput(ppa_id=gid("Ppa", ppa.id), to_stage=PpaStage.PROPOSAL) for _ in range(RACERS)]
        payloads = await run_all(committed_sessionmaker, settings, staff, advance_ppa_stage, inputs)
        outcomes = sorted("ok" if not p.errors else p.errors[0].code.value for p in payloads)
        assert outcomes == ["INVALID_TRANSITION"] * (RACERS - 1) + ["ok"]
        async with committed_sessionmaker() as check:
            count = len((await check.scalars(select(PpaTransition.id).where(PpaTransition.ppa_id == ppa.id))).all())
            assert count == 1
    finally:
        await cleanup(committed_sessionmaker, users=[staff], ppa_ids=[ppa.id])
