"""Direct-to-database builders for PPA tests (fast fixtures for counts and figures)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PpaCategory
from db.models import Need, Ppa, PpaMilestone, PpaNeed, Task
from schema.core.ids import to_global_id


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def add_ppa(session: AsyncSession, **values: Any) -> Ppa:
    values.setdefault("title", "Water system for Riverside")
    values.setdefault("category", PpaCategory.PROJECT)
    ppa = Ppa(**values)
    session.add(ppa)
    await session.flush()
    return ppa


async def add_ppas_with_relations(session: AsyncSession, count: int, prefix: str) -> list[int]:
    """``count`` PPAs, each with 2 milestones, a linked need and 2 tasks (bulk inserts).

    Every third PPA has an overdue task, so the portfolio has PPAs at risk."""
    ppas = [Ppa(title=f"{prefix} {i:04d}", category=PpaCategory.PROJECT, budget_allocated=Decimal("1000.00"))
            for i in range(count)]
    needs = [Need(title=f"{prefix} need {i:04d}") for i in range(count)]
    session.add_all(ppas + needs)
    await session.flush()
    today = date.today()
    session.add_all([PpaMilestone(ppa_id=p.id, title=f"M{k}", due_on=today + timedelta(days=k))
                     for p in ppas for k in range(2)])
    session.add_all([PpaNeed(ppa_id=p.id, need_id=n.id) for p, n in zip(ppas, needs, strict=True)])
    overdue = datetime.now(UTC) - timedelta(days=3)
    session.add_all([Task(title=f"T{k}", ppa_id=p.id, due_at=overdue if (i % 3 == 0 and k == 0) else None)
                     for i, p in enumerate(ppas) for k in range(2)])
    await session.flush()
    return [p.id for p in ppas]
