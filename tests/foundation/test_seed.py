"""The demo seed is realistic and idempotent."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Booking, Event, Ppa, Task, User
from db.seed import seed_demo

COUNTED = (User, Event, Ppa, Task, Booking)


async def counts(session: AsyncSession) -> dict[str, int]:
    return {m.__name__: int(await session.scalar(select(func.count()).select_from(m)) or 0) for m in COUNTED}


async def test_seed_twice_adds_nothing_the_second_time(session: AsyncSession) -> None:
    first = await seed_demo(session, scale=1, year=2026)
    after_first = await counts(session)

    second = await seed_demo(session, scale=1, year=2026)

    assert await counts(session) == after_first
    assert sum(second.inserted.values()) == 0
    assert first.inserted["tasks"] == 6000 and first.inserted["bookings"] == 3600
    recurring = await session.scalar(select(func.count()).select_from(Event).where(Event.rrule.is_not(None)))
    quarterly = await session.scalar(
        select(func.count()).select_from(Event).where(Event.is_quarterly_coordination.is_(True))
    )
    assert recurring == 40  # 10 stand-ups + 10 weekly meetings + 20 monthly community assemblies
    assert quarterly == 40  # 10 teams x 4 quarters
    stages = await session.scalar(select(func.count(func.distinct(Ppa.stage))))
    assert stages == 9
