"""Ten concurrent generations for one object, each in its own committed transaction: one task set."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import PpaCategory, TemplateKind
from db.models import Ppa, Task
from db.queries.task_generation import ensure_default_templates, generate_default_tasks
from tests.task.committed import cleanup, committed_user


async def test_ten_racing_generations_create_exactly_one_task_set(
    committed_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user = await committed_user(committed_sessionmaker)
    async with committed_sessionmaker() as session:
        ppa = Ppa(title="Raced PPA", category=PpaCategory.PROJECT)
        session.add(ppa)
        await session.commit()
    try:
        async def generate() -> int:
            async with committed_sessionmaker() as session:
                target = await session.get(Ppa, ppa.id)
                created = await generate_default_tasks(session, TemplateKind.PPA, target, actor_id=user.id)
                await session.commit()
                return len(created)

        created_counts = await asyncio.gather(*(generate() for _ in range(10)))

        async with committed_sessionmaker() as session:
            keys = (await session.scalars(select(Task.generation_key).where(Task.ppa_id == ppa.id))).all()
            items = await session.scalar(select(func.count()).select_from(Task).where(Task.ppa_id == ppa.id))
        assert sorted(created_counts, reverse=True) == [5] + [0] * 9  # one winner inserted the set
        assert items == 5 and len(set(keys)) == 5
        print(f"\n[generation race] created per request: {created_counts}")
    finally:
        await cleanup(committed_sessionmaker, users=[user], ppa_ids=[ppa.id])


async def test_racing_default_template_creation_leaves_one_default_per_kind(
    committed_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def ensure() -> None:
        async with committed_sessionmaker() as session:
            await ensure_default_templates(session)
            await session.commit()

    await asyncio.gather(*(ensure() for _ in range(5)))

    async with committed_sessionmaker() as session:
        from db.models import TaskTemplate

        rows = (await session.execute(
            select(TaskTemplate.kind, func.count()).where(TaskTemplate.is_default).group_by(TaskTemplate.kind)
        )).all()
    assert sorted(n for _, n in rows) == [1, 1, 1, 1]
