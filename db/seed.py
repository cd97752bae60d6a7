"""Idempotent demo data: ``almanac seed --demo [--scale N]``.

Every row has a natural key (email, name, uid, code, generation key) and is
inserted with ON CONFLICT DO NOTHING, so running the seed again adds nothing.
One scale unit is roughly 1,200 calendar entries a month: ten teams with
daily stand-ups, weekly and quarterly coordination meetings, twenty
communities with monthly assemblies, 60 PPAs with milestones and stage dates,
6,000 tasks and 3,600 bookings over the current year.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import enums as e
from db.base import Base
from db.models import (
    Assessment,
    Booking,
    Community,
    Event,
    Need,
    Policy,
    Ppa,
    PpaMilestone,
    PpaNeed,
    PpaStageSchedule,
    Resource,
    Task,
    TaskAssignee,
    Team,
    TeamMembership,
    User,
)
from server.auth import hash_password

ZONE = ZoneInfo("Asia/Manila")
DEMO_PASSWORD = "almanac-demo"
DEMO_USERS = [
    ("admin@almanac.local", "Ada Admin", e.Role.ADMIN),
    ("manager@almanac.local", "Mina Manager", e.Role.MANAGER),
    ("staff@almanac.local", "Sam Staff", e.Role.STAFF),
    ("viewer@almanac.local", "Vic Viewer", e.Role.VIEWER),
]
TEAMS_PER_SCALE, COMMUNITIES_PER_SCALE, PPAS_PER_SCALE = 10, 20, 60
TASKS_PER_SCALE, RESOURCES_PER_SCALE, BOOKINGS_PER_SCALE = 6000, 20, 3600
USERS_PER_SCALE, NEEDS_PER_SCALE, ASSESSMENTS_PER_SCALE, POLICIES_PER_SCALE = 20, 30, 10, 5


@dataclass
class SeedSummary:
    scale: int
    inserted: dict[str, int]

    def __str__(self) -> str:
        rows = ", ".join(f"{name}={count}" for name, count in self.inserted.items())
        return f"demo data at scale {self.scale}: inserted {rows or 'nothing (already seeded)'}"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


async def insert_new(session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]],
                     summary: SeedSummary) -> list[int]:
    """Insert rows, skipping any whose natural key exists; ids of the new rows."""
    if not rows:
        return []
    table = cast(Table, model.__table__)  # declarative models with __tablename__ map a Table
    returning = [table.c.id] if "id" in table.c else []
    ids: list[int] = []
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:  # one multi-row VALUES needs the same columns in every row
        by_shape.setdefault(tuple(sorted(row)), []).append(row)
    for group in by_shape.values():
        for start in range(0, len(group), 1000):
            stmt = insert(model).values(group[start:start + 1000]).on_conflict_do_nothing()
            if returning:
                ids.extend((await session.execute(stmt.returning(*returning))).scalars())
            else:
                # An INSERT executes to a CursorResult, which has the row count.
                result = cast(CursorResult[Any], await session.execute(stmt))
                ids.extend([0] * (result.rowcount or 0))
    name = table.name
    summary.inserted[name] = summary.inserted.get(name, 0) + len(ids)
    return ids


async def ids_by(session: AsyncSession, column: Any, keys: Sequence[Any]) -> dict[Any, int]:
    model_id = column.table.c.id
    rows = await session.execute(select(column, model_id).where(column.in_(list(keys))))
    return {key: pk for key, pk in rows}


async def seed_people(session: AsyncSession, scale: int, summary: SeedSummary) -> tuple[list[int], list[int]]:
    password_hash = hash_password(DEMO_PASSWORD)
    users = [dict(email=mail, name=name, role=role, password_hash=password_hash) for mail, name, role in DEMO_USERS]
    for s in range(scale):
        users += [dict(email=f"officer-{s}-{i}@almanac.local", name=f"Officer {s}-{i}", role=e.Role.STAFF,
                       password_hash=password_hash) for i in range(USERS_PER_SCALE)]
    await insert_new(session, User, users, summary)
    user_ids = list((await ids_by(session, User.email, [u["email"] for u in users])).values())
    teams = [dict(name=f"Team {s}-{t:02d}", description=f"Field team {t} of division {s}")
             for s in range(scale) for t in range(TEAMS_PER_SCALE)]
    await insert_new(session, Team, teams, summary)
    team_ids = list((await ids_by(session, Team.name, [t["name"] for t in teams])).values())
    memberships = [dict(team_id=team_ids[i % len(team_ids)], user_id=uid,
                        role=e.TeamRole.LEAD if i < len(team_ids) else e.TeamRole.MEMBER)
                   for i, uid in enumerate(user_ids)]
    await insert_new(session, TeamMembership, memberships, summary)
    return user_ids, team_ids


async def seed_places(session: AsyncSession, scale: int, summary: SeedSummary) -> tuple[list[int], list[int]]:
    communities = [dict(name=f"Barangay {s}-{c:02d}", code=f"BRGY-{s}-{c:02d}", region=f"Region {c % 5 + 1}",
                        population=1200 + 37 * c) for s in range(scale) for c in range(COMMUNITIES_PER_SCALE)]
    await insert_new(session, Community, communities, summary)
    community_ids = list((await ids_by(session, Community.name, [c["name"] for c in communities])).values())
    kinds = [e.ResourceKind.VEHICLE, e.ResourceKind.ROOM, e.ResourceKind.EQUIPMENT]
    resources = [dict(name=f"{kinds[r % 3].value.title()} {s}-{r:02d}", kind=kinds[r % 3],
                      capacity=[12, 30, None][r % 3], requires_approval=r % 3 == 0,
                      buffer_after_minutes=30 if r % 3 == 0 else 0)
                 for s in range(scale) for r in range(RESOURCES_PER_SCALE)]
    await insert_new(session, Resource, resources, summary)
    resource_ids = list((await ids_by(session, Resource.name, [r["name"] for r in resources])).values())
    return community_ids, resource_ids


def recurring_event(uid: str, title: str, start: datetime, minutes: int, rrule: str, year_end: datetime,
                    **extra: Any) -> dict[str, Any]:
    return dict(uid=uid, title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                timezone="Asia/Manila", rrule=rrule, series_ends_at=year_end + timedelta(minutes=minutes),
                reminders=[30], **extra)


async def seed_events(session: AsyncSession, year: int, scale: int, team_ids: list[int],
                      community_ids: list[int], owner_id: int, summary: SeedSummary) -> None:
    first = date(year, 1, 1)
    year_end = local(date(year, 12, 31), 23, 59)
    until = f"UNTIL={year}1231T155959Z"
    rows: list[dict[str, Any]] = []
    for i, team_id in enumerate(team_ids):
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        rows.append(recurring_event(f"demo-standup-{team_id}", f"Team stand-up ({i})", local(first, 8, 30), 15,
                                    f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;{until}", year_end, team_id=team_id,
                                    owner_id=owner_id))
        rows.append(recurring_event(f"demo-weekly-{team_id}", f"Weekly coordination ({i})", local(monday, 14), 60,
                                    f"FREQ=WEEKLY;BYDAY=MO;{until}", year_end, team_id=team_id, owner_id=owner_id))
        for quarter in range(1, 5):
            day = date(year, 3 * quarter - 1, 10)
            rows.append(dict(uid=f"demo-quarterly-{team_id}-{year}-q{quarter}",
                             title=f"Q{quarter} coordination meeting ({i})", starts_at=local(day, 9),
                             ends_at=local(day, 12), timezone="Asia/Manila", is_quarterly_coordination=True,
                             quarter=quarter, fiscal_year=year, team_id=team_id, owner_id=owner_id,
                             reminders=[10080, 1440]))
    for i, community_id in enumerate(community_ids):
        rows.append(recurring_event(f"demo-assembly-{community_id}", f"Community assembly ({i})",
                                    local(first, 15), 120, f"FREQ=MONTHLY;BYDAY=1TH;{until}", year_end,
                                    module=e.CalendarModule.COMMUNITY, visibility=e.Visibility.PUBLIC,
                                    community_id=community_id, owner_id=owner_id))
    rows.append(dict(uid=f"demo-private-{year}", title="Performance review (private)",
                     starts_at=local(date(year, 6, 15), 10), ends_at=local(date(year, 6, 15), 11),
                     timezone="Asia/Manila", visibility=e.Visibility.PRIVATE, owner_id=owner_id))
    await insert_new(session, Event, rows, summary)


async def seed_projects(session: AsyncSession, year: int, scale: int, community_ids: list[int],
                        team_ids: list[int], owner_id: int, summary: SeedSummary) -> list[int]:
    first = date(year, 1, 1)
    stages = list(e.PpaStage)
    categories = list(e.PpaCategory)
    needs = [dict(title=f"Need {s}-{n:02d}: {['water', 'road', 'school', 'clinic', 'livelihood'][n % 5]}",
                  category=["WASH", "Infrastructure", "Education", "Health", "Livelihood"][n % 5],
                  community_id=community_ids[(s * NEEDS_PER_SCALE + n) % len(community_ids)],
                  identified_on=first + timedelta(days=n * 7)) for s in range(scale) for n in range(NEEDS_PER_SCALE)]
    known_needs = await ids_by(session, Need.title, [n["title"] for n in needs])
    await insert_new(session, Need, [n for n in needs if n["title"] not in known_needs], summary)
    need_ids = list((await ids_by(session, Need.title, [n["title"] for n in needs])).values())
    assessments = []
    for s in range(scale):
        for a in range(ASSESSMENTS_PER_SCALE):
            start = first + timedelta(days=a * 30)
            assessments.append(dict(title=f"Needs assessment {s}-{a:02d}", community_id=community_ids[a],
                                    lead_team_id=team_ids[a % len(team_ids)], owner_id=owner_id,
                                    planning_on=start, data_collection_on=start + timedelta(days=14),
                                    analysis_on=start + timedelta(days=28), report_on=start + timedelta(days=42)))
    existing = await ids_by(session, Assessment.title, [a["title"] for a in assessments])
    await insert_new(session, Assessment, [a for a in assessments if a["title"] not in existing], summary)
    policies = [dict(title=f"Policy {s}-{p}", code=f"POL-{year}-{s}-{p}", effective_on=first + timedelta(days=60 * p),
                     review_on=first + timedelta(days=60 * p + 180), owner_id=owner_id)
                for s in range(scale) for p in range(POLICIES_PER_SCALE)]
    await insert_new(session, Policy, policies, summary)
    ppas = []
    for s in range(scale):
        for p in range(PPAS_PER_SCALE):
            start = first + timedelta(days=(p * 5) % 300)
            stage = stages[p % len(stages)]
            ppas.append(dict(code=f"PPA-{year}-{s:02d}-{p:03d}", title=f"{categories[p % 3].value.title()} {s}-{p:03d}",
                             category=categories[p % 3], stage=stage, starts_on=start,
                             ends_on=start + timedelta(days=120), budget_allocated=Decimal(250_000 + 5_000 * p),
                             community_id=community_ids[p % len(community_ids)],
                             lead_team_id=team_ids[p % len(team_ids)], owner_id=owner_id,
                             status=e.PpaStatus.COMPLETED if stage == e.PpaStage.COMPLETED else e.PpaStatus.ACTIVE))
    new_ppa_ids = await insert_new(session, Ppa, ppas, summary)
    new = await session.execute(select(Ppa.id, Ppa.starts_on).where(Ppa.id.in_(new_ppa_ids)))
    milestones, schedules, links = [], [], []
    for index, (ppa_id, starts_on) in enumerate(new):
        assert starts_on is not None, "every demo PPA is given a start date above"
        for m in range(4):
            milestones.append(dict(ppa_id=ppa_id, title=f"Milestone {m + 1}", due_on=starts_on + timedelta(days=30 * m + 20)))
        for k, stage in enumerate([e.PpaStage.PLANNING, e.PpaStage.PROPOSAL, e.PpaStage.IMPLEMENTATION]):
            day = starts_on + timedelta(days=10 * k)
            schedules.append(dict(ppa_id=ppa_id, kind=e.TransitionKind.STAGE, stage=stage.value, starts_on=day,
                                  ends_on=day + timedelta(days=9)))
        hearing = starts_on + timedelta(days=25)
        schedules.append(dict(ppa_id=ppa_id, kind=e.TransitionKind.BUDGET, stage=e.BudgetStage.BUDGET_HEARING.value,
                              starts_on=hearing, ends_on=hearing))
        links.append(dict(ppa_id=ppa_id, need_id=need_ids[index % len(need_ids)]))
    await insert_new(session, PpaMilestone, milestones, summary)
    await insert_new(session, PpaStageSchedule, schedules, summary)
    await insert_new(session, PpaNeed, links, summary)
    return list((await ids_by(session, Ppa.code, [p["code"] for p in ppas])).values())


async def seed_work(session: AsyncSession, year: int, scale: int, user_ids: list[int], ppa_ids: list[int],
                    resource_ids: list[int], summary: SeedSummary) -> None:
    first = date(year, 1, 1)
    statuses = [e.TaskStatus.TODO, e.TaskStatus.IN_PROGRESS, e.TaskStatus.DONE, e.TaskStatus.REVIEW,
                e.TaskStatus.TODO, e.TaskStatus.BLOCKED]
    tasks = []
    for s in range(scale):
        for t in range(TASKS_PER_SCALE):
            n = s * TASKS_PER_SCALE + t
            due = first + timedelta(days=(n * 365) // (scale * TASKS_PER_SCALE))
            status = statuses[n % len(statuses)]
            tasks.append(dict(title=f"Task {s}-{t:04d}", status=status, priority=list(e.TaskPriority)[n % 4],
                              domain=list(e.TaskDomain)[n % 6], due_at=local(due, 17), position=float(n),
                              estimated_hours=Decimal(2 + n % 6), generation_key=f"seed:{s}:{t}",
                              completed_at=local(due, 16) if status == e.TaskStatus.DONE else None,
                              ppa_id=ppa_ids[n % len(ppa_ids)] if n % 3 == 0 else None))
    new_task_ids = await insert_new(session, Task, tasks, summary)
    await insert_new(session, TaskAssignee, [dict(task_id=tid, user_id=user_ids[i % len(user_ids)])
                                            for i, tid in enumerate(new_task_ids)], summary)
    bookings = []
    per_resource = BOOKINGS_PER_SCALE // RESOURCES_PER_SCALE
    for r, resource_id in enumerate(resource_ids):
        for b in range(per_resource):
            day = first + timedelta(days=(b * 365) // per_resource)
            start, end = local(day, 9 + r % 4), local(day, 11 + r % 4)
            bookings.append(dict(resource_id=resource_id, starts_at=start, ends_at=end, blocked_from=start,
                                 blocked_until=end + timedelta(minutes=30 if r % 3 == 0 else 0),
                                 status=e.BookingStatus.APPROVED, purpose=f"Field visit {r}-{b}",
                                 requested_by_id=user_ids[(r + b) % len(user_ids)]))
    await insert_new(session, Booking, bookings, summary)


SeedProgress = Callable[[int, int, str], None]  # (steps done, steps in all, what was loaded)


async def seed_demo(session: AsyncSession, *, scale: int = 1, year: int | None = None,
                    progress: SeedProgress | None = None) -> SeedSummary:
    """Create (or complete) the demo data set; safe to run any number of times."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    year = year or datetime.now(UTC).year
    summary = SeedSummary(scale=scale, inserted={})
    user_ids, team_ids = await seed_people(session, scale, summary)
    owner_id = (await ids_by(session, User.email, ["admin@almanac.local"]))["admin@almanac.local"]
    community_ids, resource_ids = await seed_places(session, scale, summary)
    await seed_events(session, year, scale, team_ids, community_ids, owner_id, summary)
    ppa_ids = await seed_projects(session, year, scale, community_ids, team_ids, owner_id, summary)
    await seed_work(session, year, scale, user_ids, ppa_ids, resource_ids, summary)
    await session.commit()
    return summary
