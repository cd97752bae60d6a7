"""Demo data, second half: needs, assessments, policies, PPAs, tasks and bookings.

The PPA story (stage, budget, dates, task states) comes from ``db/seed_projects.py``;
progress is then computed from the inserted tasks by the product's own
``recompute_ppa_progress``, so it equals the rule in ``db/rules/progress.py``.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import demo_catalog as catalog
from db import enums as e
from db.models import (
    Assessment,
    Booking,
    Need,
    Policy,
    Ppa,
    PpaMilestone,
    PpaNeed,
    PpaStageSchedule,
    Task,
    TaskAssignee,
)
from db.queries.task import recompute_ppa_progress
from db.seed import (
    ASSESSMENTS_PER_SCALE,
    BOOKINGS_PER_SCALE,
    COMMUNITIES_PER_SCALE,
    POLICIES_PER_SCALE,
    PPAS_PER_SCALE,
    RESOURCES_PER_SCALE,
    TASKS_PER_SCALE,
    SeedSummary,
    SeedWorld,
    ids_by,
    ids_in_order,
    insert_new,
    local,
)
from db.seed_projects import plan_milestones, plan_ppa, plan_tasks

UNADDRESSED_NEEDS_PER_SCALE = 10


def place(world: SeedWorld, c: int) -> tuple[str, str, str]:
    """(barangay, town, copy suffix) of community index ``c``."""
    barangay, town = catalog.COMMUNITIES[c % COMMUNITIES_PER_SCALE][:2]
    return barangay, town, catalog.copy_suffix(c // COMMUNITIES_PER_SCALE)


def ppa_theme(p: int) -> int:
    # PPAs p, p+20, p+40 share a community: give them different themes.
    return (p % COMMUNITIES_PER_SCALE + p // COMMUNITIES_PER_SCALE) % len(catalog.NEED_THEMES)


async def seed_assessments(session: AsyncSession, world: SeedWorld, scale: int, summary: SeedSummary) -> dict[int, int]:
    """One MANA per even-numbered community; {community index: assessment id}."""
    rows, by_community = [], {}
    for s in range(scale):
        for a in range(ASSESSMENTS_PER_SCALE):
            c = s * COMMUNITIES_PER_SCALE + 2 * a
            barangay, town, suffix = place(world, c)
            start = date(world.year, 1 + a, 6)
            steps = [start, start + timedelta(days=14), start + timedelta(days=28), start + timedelta(days=42)]
            # PLANNED until data collection starts, then one status per step; COMPLETED two weeks after the report.
            status = list(e.AssessmentStatus)[sum(day <= world.today for day in steps[1:])]
            if steps[3] + timedelta(days=14) < world.today:
                status = e.AssessmentStatus.COMPLETED
            rows.append(dict(title=f"Needs assessment (MANA), {barangay}, {town}{suffix} {world.year}",
                             status=status, community_id=world.community_ids[c],
                             lead_team_id=world.team_ids[s * len(catalog.TEAMS) + 2], owner_id=world.owner_id,
                             planning_on=steps[0], data_collection_on=steps[1], analysis_on=steps[2],
                             report_on=steps[3]))
            by_community[c] = rows[-1]["title"]
    existing = await ids_by(session, Assessment.title, [r["title"] for r in rows])
    await insert_new(session, Assessment, [r for r in rows if r["title"] not in existing], summary)
    ids = await ids_by(session, Assessment.title, [r["title"] for r in rows])
    return {c: ids[title] for c, title in by_community.items()}


async def seed_needs(session: AsyncSession, world: SeedWorld, scale: int, plans: dict[int, Any],
                     assessments: dict[int, int], summary: SeedSummary) -> dict[int, int]:
    """A need behind every PPA, plus some not yet answered; {ppa index: need id}."""
    rows, title_of_ppa = [], {}
    for s in range(scale):
        for p in range(PPAS_PER_SCALE + UNADDRESSED_NEEDS_PER_SCALE):
            answered = p < PPAS_PER_SCALE
            c = s * COMMUNITIES_PER_SCALE + (p % COMMUNITIES_PER_SCALE if answered else 2 * (p - PPAS_PER_SCALE))
            theme = ppa_theme(p) if answered else (c + 5) % len(catalog.NEED_THEMES)
            category, need, _ = catalog.NEED_THEMES[theme]
            barangay, town, suffix = place(world, c)
            plan = plans.get(s * PPAS_PER_SCALE + p)
            status = (e.NeedStatus.IDENTIFIED if plan is None else e.NeedStatus.ADDRESSED
                      if plan.stage == e.PpaStage.COMPLETED else e.NeedStatus.VALIDATED)
            rows.append(dict(title=f"{need}, {barangay}, {town}{suffix}", category=category, status=status,
                             priority=list(e.TaskPriority)[(p + theme) % 4], community_id=world.community_ids[c],
                             assessment_id=assessments.get(c),
                             identified_on=date(world.year, 1, 6) + timedelta(days=(p * 3) % 120)))
            if answered:
                title_of_ppa[s * PPAS_PER_SCALE + p] = rows[-1]["title"]
    existing = await ids_by(session, Need.title, [r["title"] for r in rows])
    await insert_new(session, Need, [r for r in rows if r["title"] not in existing], summary)
    ids = await ids_by(session, Need.title, list(title_of_ppa.values()))
    return {index: ids[title] for index, title in title_of_ppa.items()}


async def seed_policies(session: AsyncSession, world: SeedWorld, scale: int, summary: SeedSummary) -> None:
    statuses = (e.PolicyStatus.ADOPTED, e.PolicyStatus.ADOPTED, e.PolicyStatus.ADOPTED,
                e.PolicyStatus.UNDER_REVIEW, e.PolicyStatus.DRAFT)
    rows = []
    for s in range(scale):
        for n in range(POLICIES_PER_SCALE):
            adopted = statuses[n] == e.PolicyStatus.ADOPTED
            effective = date(world.year, 1 + 2 * n, 1)
            rows.append(dict(title=catalog.POLICIES[n] + catalog.copy_suffix(s), code=f"POL-{world.year}-{s}-{n}",
                             status=statuses[n], owner_id=world.owner_id,
                             effective_on=effective if adopted else None,
                             review_on=effective + timedelta(days=365) if adopted else date(world.year, 12, 1)))
    await insert_new(session, Policy, rows, summary)


async def seed_projects(session: AsyncSession, world: SeedWorld, scale: int, summary: SeedSummary) -> list[int]:
    """PPAs at every stage, with needs, milestones and stage dates; their ids in order."""
    assessments = await seed_assessments(session, world, scale, summary)
    await seed_policies(session, world, scale, summary)
    plans = {s * PPAS_PER_SCALE + p: plan_ppa(p, ppa_theme(p), world.today)
             for s in range(scale) for p in range(PPAS_PER_SCALE)}
    need_of = await seed_needs(session, world, scale, plans, assessments, summary)
    rows = []
    for index, plan in plans.items():
        s, p = divmod(index, PPAS_PER_SCALE)
        c = s * COMMUNITIES_PER_SCALE + p % COMMUNITIES_PER_SCALE
        barangay, town, suffix = place(world, c)
        rows.append(dict(
            code=f"PPA-{world.year}-{s:02d}-{p:03d}", title=f"{catalog.NEED_THEMES[ppa_theme(p)][2]}, {barangay}, {town}{suffix}",
            description=f"Answers the need: {catalog.NEED_THEMES[ppa_theme(p)][1].lower()}.",
            category=plan.category, stage=plan.stage, status=plan.status,
            stage_entered_at=local(plan.stage_entered_on, 9), budget_stage=plan.budget_stage,
            budget_status=plan.budget_status, budget_allocated=plan.budget_allocated,
            budget_approved=plan.budget_approved, starts_on=plan.starts_on, ends_on=plan.ends_on,
            community_id=world.community_ids[c], lead_team_id=world.team_ids[s * len(catalog.TEAMS) + p % len(catalog.TEAMS)],
            owner_id=world.owner_id))
    new_ids = set(await insert_new(session, Ppa, rows, summary))
    ppa_ids = await ids_in_order(session, Ppa.code, [r["code"] for r in rows])
    milestones, schedules, links = [], [], []
    for index, ppa_id in enumerate(ppa_ids):
        if ppa_id not in new_ids:
            continue
        plan = plans[index]
        for title, due, reached in plan_milestones(plan, world.today):
            milestones.append(dict(ppa_id=ppa_id, title=title, due_on=due,
                                   completed_at=local(due - timedelta(days=2), 16) if reached else None))
        for k, stage in enumerate((e.PpaStage.PLANNING, e.PpaStage.PROPOSAL, e.PpaStage.IMPLEMENTATION)):
            day = plan.starts_on + timedelta(days=30 * k + 10)
            schedules.append(dict(ppa_id=ppa_id, kind=e.TransitionKind.STAGE, stage=stage.value, starts_on=day,
                                  ends_on=day + timedelta(days=20)))
        hearing = plan.starts_on + timedelta(days=100)
        schedules.append(dict(ppa_id=ppa_id, kind=e.TransitionKind.BUDGET, stage=e.BudgetStage.BUDGET_HEARING.value,
                              starts_on=hearing, ends_on=hearing))
        links.append(dict(ppa_id=ppa_id, need_id=need_of[index]))
    await insert_new(session, PpaMilestone, milestones, summary)
    await insert_new(session, PpaStageSchedule, schedules, summary)
    await insert_new(session, PpaNeed, links, summary)
    return ppa_ids


def office_task_status(due: date, today: date, n: int) -> e.TaskStatus:
    if due < today:  # past work is done, except a few that slipped or were dropped
        return e.TaskStatus.CANCELLED if n % 97 == 0 else e.TaskStatus.IN_PROGRESS if n % 53 == 0 else e.TaskStatus.DONE
    if due < today + timedelta(days=14):
        return (e.TaskStatus.IN_PROGRESS, e.TaskStatus.REVIEW, e.TaskStatus.TODO, e.TaskStatus.BLOCKED)[n % 4]
    return e.TaskStatus.TODO


async def seed_tasks(session: AsyncSession, world: SeedWorld, scale: int, ppa_ids: list[int],
                     summary: SeedSummary) -> None:
    """Each PPA's checklist, then the office's routine work to make up TASKS_PER_SCALE a scale."""
    tasks: list[dict[str, Any]] = []
    for index, ppa_id in enumerate(ppa_ids):
        s, p = divmod(index, PPAS_PER_SCALE)
        plan = plan_ppa(p, ppa_theme(p), world.today)
        for i, item in enumerate(plan_tasks(plan, world.today)):
            tasks.append(dict(title=item.title, phase=item.phase, status=item.status, domain=e.TaskDomain.PROJECTS,
                              priority=e.TaskPriority.HIGH if i % 5 == 0 else e.TaskPriority.MEDIUM,
                              due_at=local(item.due_on, 17), position=float(len(tasks)),
                              estimated_hours=4 + i % 5, generation_key=f"seed:{s}:ppa:{p}:{i}",
                              completed_at=local(item.due_on, 15) if item.status == e.TaskStatus.DONE else None,
                              ppa_id=ppa_id))
    per_scale_routine = TASKS_PER_SCALE - len(tasks) // scale
    first = date(world.year, 1, 1)
    for s in range(scale):
        for t in range(per_scale_routine):
            n = s * per_scale_routine + t
            due = first + timedelta(days=(n * 365) // (scale * per_scale_routine))
            domain, title = catalog.OFFICE_TASKS[n % len(catalog.OFFICE_TASKS)]
            status = office_task_status(due, world.today, n)
            tasks.append(dict(title=f"{title} ({due:%d %b})", status=status, domain=e.TaskDomain(domain),
                              priority=list(e.TaskPriority)[n % 3], due_at=local(due, 17), position=float(len(tasks)),
                              estimated_hours=1 + n % 4, generation_key=f"seed:{s}:{t}",
                              completed_at=local(due, 16) if status == e.TaskStatus.DONE else None))
    new_ids = await insert_new(session, Task, tasks, summary)
    await insert_new(session, TaskAssignee, [dict(task_id=tid, user_id=world.user_ids[4 + i % (len(world.user_ids) - 4)])
                                            for i, tid in enumerate(new_ids)], summary)
    await recompute_ppa_progress(session, ppa_ids)


async def seed_bookings(session: AsyncSession, world: SeedWorld, summary: SeedSummary) -> None:
    first = date(world.year, 1, 1)
    per_resource = BOOKINGS_PER_SCALE // RESOURCES_PER_SCALE
    rows = []
    for r, resource_id in enumerate(world.resource_ids):
        _name, _kind, _cap, needs_approval, buffer = catalog.RESOURCES[r % len(catalog.RESOURCES)]
        for b in range(per_resource):
            day = first + timedelta(days=(b * 365) // per_resource)
            start, end = local(day, 9 + r % 4), local(day, 11 + r % 4)
            status = booking_status(day, world.today, b, needs_approval)
            decided = status in (e.BookingStatus.APPROVED, e.BookingStatus.REJECTED) and needs_approval
            barangay, town, _ = place(world, (r + b) % len(world.community_ids))
            rows.append(dict(resource_id=resource_id, starts_at=start, ends_at=end, blocked_from=start,
                             blocked_until=end + timedelta(minutes=buffer), status=status,
                             purpose=f"{catalog.BOOKING_PURPOSES[b % len(catalog.BOOKING_PURPOSES)]}, {barangay}, {town}",
                             requested_by_id=world.user_ids[4 + (r + b) % (len(world.user_ids) - 4)],
                             decided_by_id=world.owner_id if decided else None,
                             decided_at=datetime.combine(day - timedelta(days=2), start.timetz()) if decided else None,
                             decision_note="Vehicle already committed to a medical mission"
                             if status == e.BookingStatus.REJECTED else ""))
    # Cancelled and rejected bookings are outside the overlap constraint, so ON CONFLICT
    # cannot skip them: the (resource, start) pairs already there are the natural key.
    existing = set((await session.execute(select(Booking.resource_id, Booking.starts_at).where(
        Booking.resource_id.in_(world.resource_ids)))).tuples())
    await insert_new(session, Booking, [r for r in rows if (r["resource_id"], r["starts_at"]) not in existing], summary)


def booking_status(day: date, today: date, b: int, needs_approval: bool) -> e.BookingStatus:
    if b % 23 == 0:
        return e.BookingStatus.CANCELLED
    if needs_approval and b % 31 == 0:
        return e.BookingStatus.REJECTED
    if day >= today and needs_approval and b % 4 == 0:
        return e.BookingStatus.PENDING
    return e.BookingStatus.APPROVED
