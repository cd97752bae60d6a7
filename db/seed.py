"""Idempotent demo data: ``almanac seed --demo [--scale N]``.

An office coordinating PPAs with ministries, agencies and offices (MAOs) for
twenty barangays (names: ``db/demo_catalog.py``); the PPAs' stages, budgets,
tasks, progress and risks follow the product's rules (``db/seed_projects.py``).
Every row has a natural key (email, name, uid, code, generation key) and is
inserted with ON CONFLICT DO NOTHING, so running the seed again adds nothing.

One scale unit is roughly 1,200 calendar entries a month: ten teams with daily
stand-ups, weekly and quarterly coordination meetings (with attendance),
twenty communities with monthly assemblies, 60 PPAs, 6,000 tasks and 3,600
bookings over the current year. ``--scale N`` adds N-1 more copies.
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

from db import demo_catalog as catalog
from db import enums as e
from db.base import Base
from db.models import Community, Event, EventParticipant, Resource, Team, TeamMembership, User
from server.auth import hash_password

ZONE = ZoneInfo("Asia/Manila")
DEMO_PASSWORD = "almanac-demo"
DEMO_USERS = catalog.DEMO_USERS
TEAMS_PER_SCALE, COMMUNITIES_PER_SCALE, PPAS_PER_SCALE = 10, 20, 60
TASKS_PER_SCALE, RESOURCES_PER_SCALE, BOOKINGS_PER_SCALE = 6000, 20, 3600
USERS_PER_SCALE, ASSESSMENTS_PER_SCALE, POLICIES_PER_SCALE = 20, 10, 5
SeedProgress = Callable[[int, int, str], None]  # (steps done, steps in all, what was loaded)
STEPS = ("people", "places", "meetings", "projects", "tasks", "bookings")


@dataclass
class SeedSummary:
    scale: int
    inserted: dict[str, int]

    def __str__(self) -> str:
        rows = ", ".join(f"{name}={count}" for name, count in self.inserted.items())
        return f"demo data at scale {self.scale}: inserted {rows or 'nothing (already seeded)'}"


@dataclass(slots=True)
class SeedWorld:
    """Ids the later steps build on, in catalog order."""

    year: int
    today: date
    owner_id: int
    user_ids: list[int]
    team_ids: list[int]
    community_ids: list[int]
    resource_ids: list[int]


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


async def ids_in_order(session: AsyncSession, column: Any, keys: Sequence[Any]) -> list[int]:
    found = await ids_by(session, column, keys)
    return [found[k] for k in keys]


def staff_member(copy: int, i: int) -> tuple[str, str]:
    given, family = catalog.GIVEN_NAMES[i % len(catalog.GIVEN_NAMES)], catalog.FAMILY_NAMES[i % len(catalog.FAMILY_NAMES)]
    tail = f".{copy + 1}" if copy else ""
    return f"{given.lower()}.{family.lower()}{tail}@almanac.local", f"{given} {family}"


async def seed_people(session: AsyncSession, scale: int, summary: SeedSummary) -> tuple[list[int], list[int]]:
    password_hash = hash_password(DEMO_PASSWORD)
    users = [dict(email=mail, name=name, role=role, password_hash=password_hash) for mail, name, role in DEMO_USERS]
    for s in range(scale):
        for i in range(USERS_PER_SCALE):
            email, name = staff_member(s, i)
            users.append(dict(email=email, name=name, role=e.Role.STAFF, password_hash=password_hash))
    await insert_new(session, User, users, summary)
    user_ids = await ids_in_order(session, User.email, [u["email"] for u in users])
    teams = [dict(name=name + catalog.copy_suffix(s), description=about)
             for s in range(scale) for name, about in catalog.TEAMS]
    await insert_new(session, Team, teams, summary)
    team_ids = await ids_in_order(session, Team.name, [t["name"] for t in teams])
    memberships = [dict(team_id=team_ids[i % len(team_ids)], user_id=uid,
                        role=e.TeamRole.LEAD if i < len(team_ids) else e.TeamRole.MEMBER)
                   for i, uid in enumerate(user_ids)]
    await insert_new(session, TeamMembership, memberships, summary)
    return user_ids, team_ids


async def seed_places(session: AsyncSession, scale: int, summary: SeedSummary) -> tuple[list[int], list[int]]:
    communities = []
    for s in range(scale):
        for c, (barangay, town, province, region, people, lat, lon) in enumerate(catalog.COMMUNITIES):
            communities.append(dict(
                name=f"{barangay}, {town}{catalog.copy_suffix(s)}", code=f"BRGY-{s}-{c:02d}", region=region,
                province=province, municipality=town, population=people,
                latitude=Decimal(str(lat)), longitude=Decimal(str(lon))))
    await insert_new(session, Community, communities, summary)
    community_ids = await ids_in_order(session, Community.name, [c["name"] for c in communities])
    resources = [dict(name=name + catalog.copy_suffix(s), kind=kind, capacity=capacity, requires_approval=approval,
                      buffer_after_minutes=buffer, location="Main office" if kind != e.ResourceKind.VEHICLE else "Motor pool")
                 for s in range(scale) for name, kind, capacity, approval, buffer in catalog.RESOURCES]
    await insert_new(session, Resource, resources, summary)
    resource_ids = await ids_in_order(session, Resource.name, [r["name"] for r in resources])
    return community_ids, resource_ids


def recurring_event(uid: str, title: str, start: datetime, minutes: int, rrule: str, year_end: datetime,
                    **extra: Any) -> dict[str, Any]:
    return dict(uid=uid, title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                timezone="Asia/Manila", rrule=rrule, series_ends_at=year_end + timedelta(minutes=minutes),
                reminders=[30], **extra)


async def seed_meetings(session: AsyncSession, world: SeedWorld, summary: SeedSummary) -> None:
    year, first = world.year, date(world.year, 1, 1)
    year_end = local(date(year, 12, 31), 23, 59)
    until = f"UNTIL={year}1231T155959Z"
    rows: list[dict[str, Any]] = []
    team_names = [t for t, _ in catalog.TEAMS]
    for i, team_id in enumerate(world.team_ids):
        team = team_names[i % len(team_names)]
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        rows.append(recurring_event(f"demo-standup-{team_id}", f"{team}: stand-up", local(first, 8, 30), 15,
                                    f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;{until}", year_end, team_id=team_id,
                                    owner_id=world.owner_id, location="Conference Room B"))
        rows.append(recurring_event(f"demo-weekly-{team_id}", f"{team}: weekly coordination", local(monday, 14), 60,
                                    f"FREQ=WEEKLY;BYDAY=MO;{until}", year_end, team_id=team_id,
                                    owner_id=world.owner_id, location="Conference Room A"))
        for quarter in range(1, 5):
            day = date(year, 3 * quarter - 1, 10)
            rows.append(dict(uid=f"demo-quarterly-{team_id}-{year}-q{quarter}",
                             title=f"Q{quarter} {year} coordination meeting with MAOs: {team}",
                             starts_at=local(day, 9), ends_at=local(day, 12), timezone="Asia/Manila",
                             location="Training Hall", is_quarterly_coordination=True, quarter=quarter,
                             fiscal_year=year, team_id=team_id, owner_id=world.owner_id, reminders=[10080, 1440]))
    for c, community_id in enumerate(world.community_ids):
        barangay, town = catalog.COMMUNITIES[c % len(catalog.COMMUNITIES)][:2]
        rows.append(recurring_event(f"demo-assembly-{community_id}", f"Community assembly, {barangay}, {town}",
                                    local(first, 15), 120, f"FREQ=MONTHLY;BYDAY=1TH;{until}", year_end,
                                    module=e.CalendarModule.COMMUNITY, visibility=e.Visibility.PUBLIC,
                                    community_id=community_id, owner_id=world.owner_id,
                                    location=f"Barangay hall, {barangay}"))
    rows.append(dict(uid=f"demo-private-{year}", title="Performance review with the director",
                     starts_at=local(date(year, 6, 15), 10), ends_at=local(date(year, 6, 15), 11),
                     timezone="Asia/Manila", visibility=e.Visibility.PRIVATE, owner_id=world.owner_id))
    await insert_new(session, Event, rows, summary)
    await seed_attendance(session, world, summary)


async def seed_attendance(session: AsyncSession, world: SeedWorld, summary: SeedSummary) -> None:
    """Team members invited to their quarterly meetings; held meetings have attendance recorded."""
    members: dict[int, list[int]] = {}
    for member_team, member in await session.execute(
        select(TeamMembership.team_id, TeamMembership.user_id).where(TeamMembership.team_id.in_(world.team_ids))
    ):
        members.setdefault(member_team, []).append(member)
    meetings = await session.execute(select(Event.id, Event.team_id, Event.ends_at).where(
        Event.is_quarterly_coordination.is_(True), Event.fiscal_year == world.year,
        Event.team_id.in_(world.team_ids)))
    now = datetime.now(UTC)
    rows = []
    for event_id, team_id, ends_at in meetings:
        for n, user_id in enumerate(members.get(team_id or 0, [])):
            held = ends_at < now
            absent = held and (event_id + n) % 5 == 0
            rows.append(dict(event_id=event_id, user_id=user_id,
                             rsvp=e.Rsvp.DECLINED if absent else e.Rsvp.ACCEPTED if held or n % 2 == 0
                             else e.Rsvp.NEEDS_ACTION,
                             attended=(not absent) if held else None,
                             responded_at=ends_at - timedelta(days=3) if held or n % 2 == 0 else None))
    await insert_new(session, EventParticipant, rows, summary)


async def seed_demo(session: AsyncSession, *, scale: int = 1, year: int | None = None,
                    progress: SeedProgress | None = None) -> SeedSummary:
    """Create (or complete) the demo data set; safe to run any number of times."""
    from db.seed_work import seed_bookings, seed_projects, seed_tasks

    if scale < 1:
        raise ValueError("scale must be at least 1")
    year = year or datetime.now(UTC).year
    today = min(max(datetime.now(ZONE).date(), date(year, 1, 1)), date(year, 12, 31))
    summary = SeedSummary(scale=scale, inserted={})

    def step(name: str) -> None:
        if progress is not None:
            progress(STEPS.index(name) + 1, len(STEPS), name)

    user_ids, team_ids = await seed_people(session, scale, summary)
    step("people")
    owner_id = (await ids_by(session, User.email, ["admin@almanac.local"]))["admin@almanac.local"]
    community_ids, resource_ids = await seed_places(session, scale, summary)
    step("places")
    world = SeedWorld(year=year, today=today, owner_id=owner_id, user_ids=user_ids, team_ids=team_ids,
                      community_ids=community_ids, resource_ids=resource_ids)
    await seed_meetings(session, world, summary)
    step("meetings")
    ppa_ids = await seed_projects(session, world, scale, summary)
    step("projects")
    await seed_tasks(session, world, scale, ppa_ids, summary)
    step("tasks")
    await seed_bookings(session, world, summary)
    step("bookings")
    await session.commit()
    return summary
