"""The demo seed is idempotent, tells a coherent story, and obeys the product's own rules."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BudgetStatus, PpaStatus, TaskStatus
from db.models import (
    Booking,
    Community,
    Event,
    EventParticipant,
    Need,
    Ppa,
    PpaNeed,
    Resource,
    Task,
    Team,
    User,
)
from db.policies import Viewer
from db.queries.portfolio import portfolio_breakdown
from db.queries.ppa import PpaCriteria
from db.rules.ppa_workflow import budget_stage_matches, budget_statuses_allowed
from db.rules.progress import progress_percent
from db.seed import seed_demo

COUNTED = (User, Event, Ppa, Task, Booking)
# "Task 0-0000", "Team 0-01", "Barangay 0-03", "Officer 0-1", "Vehicle 0-00", "Need 0-01: water" ...
PLACEHOLDER = re.compile(r"\b\d+-\d+\b|\((\d+)\)$|^(Task|Team|Officer|Barangay|Need|Policy|Milestone|Vehicle|Room|Equipment) \d")


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


async def test_every_ppa_obeys_the_workflow_and_progress_rules(session: AsyncSession) -> None:
    steps: list[tuple[int, int, str]] = []
    await seed_demo(session, scale=1, year=2026, progress=lambda done, total, name: steps.append((done, total, name)))

    tally = (
        select(Task.ppa_id, func.count().filter(Task.status == TaskStatus.DONE),
               func.count().filter(Task.status != TaskStatus.CANCELLED))
        .where(Task.ppa_id.is_not(None)).group_by(Task.ppa_id)
    )
    done_of = {ppa_id: (done, counted) for ppa_id, done, counted in await session.execute(tally)}
    ppas = (await session.scalars(select(Ppa).where(Ppa.code.like("PPA-2026-%")))).all()

    broken = []
    for ppa in ppas:
        done, counted = done_of.get(ppa.id, (0, 0))
        if ppa.budget_status not in budget_statuses_allowed(ppa.stage):
            broken.append(f"{ppa.code}: budget {ppa.budget_status} in {ppa.stage}")
        if not budget_stage_matches(ppa.budget_stage, ppa.budget_status):
            broken.append(f"{ppa.code}: budget {ppa.budget_status} at {ppa.budget_stage}")
        if (ppa.budget_status == BudgetStatus.APPROVED) != (ppa.budget_approved is not None):
            broken.append(f"{ppa.code}: approved amount {ppa.budget_approved} with {ppa.budget_status}")
        if ppa.progress != progress_percent(done, counted):
            broken.append(f"{ppa.code}: progress {ppa.progress} but {done} of {counted} tasks done")
    assert broken == []
    assert len(ppas) == 60 and len(done_of) == 60
    assert len({p.progress for p in ppas}) >= 5, "progress should vary with the stage"
    assert {p.status for p in ppas} == set(PpaStatus)
    assert [s[2] for s in steps] == ["people", "places", "meetings", "projects", "tasks", "bookings"]
    assert steps[-1][:2] == (6, 6)


async def test_some_ppas_are_at_risk_for_real_reasons_but_not_most(session: AsyncSession) -> None:
    await seed_demo(session, scale=1, year=2026)

    admin = await session.scalar(select(User).where(User.email == "admin@almanac.local"))
    figures = await portfolio_breakdown(session, PpaCriteria(viewer=Viewer.of(admin)))

    open_ppas = await session.scalar(select(func.count()).select_from(Ppa).where(
        Ppa.status.in_([PpaStatus.ACTIVE, PpaStatus.ON_HOLD])))
    assert open_ppas
    assert 0 < figures.at_risk_count <= open_ppas // 3, (figures.at_risk_count, open_ppas)
    assert figures.with_overdue_milestones_count > 0 and figures.with_overdue_tasks_count > 0
    assert figures.stalled_count > 0


async def test_the_story_has_real_names_meetings_with_attendance_and_needs(session: AsyncSession) -> None:
    await seed_demo(session, scale=1, year=2026)

    names: list[str] = []
    for column in (User.name, Team.name, Community.name, Ppa.title, Task.title, Need.title, Resource.name,
                   Event.title, Booking.purpose):
        names.extend((await session.scalars(select(column).distinct())).all())
    placeholders = sorted({n for n in names if PLACEHOLDER.search(n)})
    assert placeholders == []

    attendance = (await session.execute(
        select(EventParticipant.attended, func.count()).join(Event, Event.id == EventParticipant.event_id)
        .where(Event.is_quarterly_coordination.is_(True)).group_by(EventParticipant.attended)
    )).all()
    by_flag = dict(attendance)
    assert by_flag.get(True, 0) > by_flag.get(False, 0) > 0  # most came, some did not
    provinces = await session.scalar(select(func.count(func.distinct(Community.province))))
    assert provinces and provinces >= 5
    unlinked = await session.scalar(select(func.count()).select_from(Ppa).where(
        ~Ppa.id.in_(select(PpaNeed.ppa_id))))
    assert unlinked == 0, "every PPA answers a need"
