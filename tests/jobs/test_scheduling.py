"""schedule_event_reminders, the quarterly scheduler and the task scan on committed data."""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from db.enums import TeamRole
from db.models import (
    CalendarPreference,
    Event,
    EventParticipant,
    Task,
    TaskAssignee,
    Team,
    TeamMembership,
)
from jobs.quarterly import schedule_quarterly_meetings
from jobs.reminders import schedule_event_reminders
from jobs.scans import scan_due_and_overdue_tasks
from tests.jobs.conftest import Clock, Scratch
from tests.jobs.helpers import notifications_of

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def event(owner_id: int, start: datetime, **fields: object) -> Event:
    values: dict[str, object] = dict(
        uid=f"{uuid.uuid4()}@test", title="Planning", starts_at=start, ends_at=start + timedelta(hours=1),
        series_ends_at=start + timedelta(hours=1), owner_id=owner_id,
    )
    values.update(fields)
    return Event(**values)


async def keys_of(scratch: Scratch, user_id: int) -> list[tuple[str, datetime]]:
    return [(n.dedupe_key, n.deliver_at) for n in await notifications_of(scratch.maker, user_id)]


async def test_reminders_per_participant_and_preference_created_once(scratch: Scratch, job_ctx, clock: Clock) -> None:
    clock.now = NOW
    owner, guest, decliner = await scratch.user(), await scratch.user(), await scratch.user()
    await scratch.add(CalendarPreference(user_id=guest.id, reminder_offsets=[60, 1440]))
    meeting = event(owner.id, NOW + timedelta(days=3))
    await scratch.add(meeting)
    await scratch.add(EventParticipant(event_id=meeting.id, user_id=guest.id),
                      EventParticipant(event_id=meeting.id, user_id=decliner.id, rsvp="DECLINED"))
    # when the job runs twice (arq may run a job twice)
    assert await schedule_event_reminders(job_ctx, meeting.id) == 3
    assert await schedule_event_reminders(job_ctx, meeting.id) == 0
    start = meeting.starts_at.isoformat()
    assert await keys_of(scratch, owner.id) == [
        (f"reminder:{meeting.id}:{start}:{owner.id}:30", meeting.starts_at - timedelta(minutes=30))]
    assert sorted(await keys_of(scratch, guest.id)) == sorted([
        (f"reminder:{meeting.id}:{start}:{guest.id}:1440", meeting.starts_at - timedelta(days=1)),
        (f"reminder:{meeting.id}:{start}:{guest.id}:60", meeting.starts_at - timedelta(hours=1)),
    ])
    assert await keys_of(scratch, decliner.id) == []


async def test_moved_event_replaces_its_future_reminders(scratch: Scratch, job_ctx, clock: Clock) -> None:
    clock.now = NOW
    owner = await scratch.user()
    meeting = event(owner.id, NOW + timedelta(days=2), reminders=[15])
    await scratch.add(meeting)
    await schedule_event_reminders(job_ctx, meeting.id)
    moved = NOW + timedelta(days=4)
    async with scratch.maker() as session:
        await session.execute(update(Event).where(Event.id == meeting.id).values(
            starts_at=moved, ends_at=moved + timedelta(hours=1), series_ends_at=moved + timedelta(hours=1)))
        await session.commit()
    await schedule_event_reminders(job_ctx, meeting.id)
    assert await keys_of(scratch, owner.id) == [
        (f"reminder:{meeting.id}:{moved.isoformat()}:{owner.id}:15", moved - timedelta(minutes=15))]


async def test_recurring_series_gets_reminders_per_occurrence_in_the_horizon(scratch: Scratch, job_ctx, clock: Clock) -> None:
    clock.now = NOW
    owner = await scratch.user()
    weekly = event(owner.id, NOW + timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=4", timezone="Asia/Manila",
                   series_ends_at=NOW + timedelta(days=22, hours=1))
    await scratch.add(weekly)
    assert await schedule_event_reminders(job_ctx, weekly.id) == 4
    delivers = [d for _, d in await keys_of(scratch, owner.id)]
    assert delivers == [NOW + timedelta(days=1 + 7 * i, minutes=-30) for i in range(4)]


async def test_quarterly_scheduler_creates_one_meeting_per_team_under_a_race(scratch: Scratch, job_ctx, clock: Clock) -> None:
    clock.now = NOW
    lead, member = await scratch.user(), await scratch.user()
    team = Team(name=f"Team {uuid.uuid4().hex[:8]}", holds_quarterly_coordination=True)
    other = Team(name=f"Team {uuid.uuid4().hex[:8]}", holds_quarterly_coordination=False)
    await scratch.add(team, other)
    await scratch.add(TeamMembership(team_id=team.id, user_id=lead.id, role=TeamRole.LEAD),
                      TeamMembership(team_id=team.id, user_id=member.id))
    # when five schedulers race (separate sessions, real commits)
    results = await asyncio.gather(*(schedule_quarterly_meetings(job_ctx) for _ in range(5)))
    async with scratch.maker() as session:
        meetings = list(await session.scalars(select(Event).where(Event.team_id.in_([team.id, other.id]))))
        participants = set(await session.scalars(
            select(EventParticipant.user_id).where(EventParticipant.event_id.in_([m.id for m in meetings]))))
    # then exactly one meeting exists, for Q1 2027, created by exactly one run
    assert [(m.team_id, m.fiscal_year, m.quarter, m.is_quarterly_coordination, m.owner_id) for m in meetings] == [
        (team.id, 2027, 1, True, lead.id)]
    created_by_team = [ids for ids in results if meetings[0].id in ids]
    assert len(created_by_team) == 1
    assert participants == {lead.id, member.id}
    # with reminders 7 days and 1 day before for every member
    start = meetings[0].starts_at
    for user in (lead, member):
        assert sorted(d for _, d in await keys_of(scratch, user.id)) == [start - timedelta(days=7), start - timedelta(days=1)]
    assert meetings[0].id not in await schedule_quarterly_meetings(job_ctx)


async def test_quarterly_scheduler_colliding_on_the_uid_does_not_fail(scratch: Scratch, job_ctx, clock: Clock) -> None:
    # given the meeting's uid already taken, on its owner's calendar (uids are unique per owner),
    # by a row the quarterly-slot index does not cover (what a racing scheduler sees when its
    # slot check ran before the winner's insert)
    clock.now = NOW
    owner = await scratch.user()
    team = Team(name=f"Team {uuid.uuid4().hex[:8]}", holds_quarterly_coordination=True)
    await scratch.add(team)
    await scratch.add(TeamMembership(team_id=team.id, user_id=owner.id, role=TeamRole.LEAD))
    await scratch.add(event(owner.id, NOW + timedelta(days=50), uid=f"quarterly-{team.id}-2027-q1@almanac"))
    # when the scheduler runs (teams other tests committed may get their meetings: the run's
    # list is not asserted empty), then it does not fail and creates no meeting for this team
    created = await schedule_quarterly_meetings(job_ctx)
    async with scratch.maker() as session:
        assert list(await session.scalars(select(Event.id).where(Event.team_id == team.id))) == []
        assert list(await session.scalars(select(Event.id).where(Event.id.in_(created), Event.team_id == team.id))) == []


async def test_late_reminder_says_how_long_until_the_start(scratch: Scratch, job_ctx, clock: Clock) -> None:
    # given a meeting 3 hours away whose only reminder (1 day before) has passed
    clock.now = NOW
    owner = await scratch.user()
    meeting = event(owner.id, NOW + timedelta(hours=3, minutes=20), reminders=[1440])
    await scratch.add(meeting)
    assert await schedule_event_reminders(job_ctx, meeting.id) == 1
    [notice] = await notifications_of(scratch.maker, owner.id)
    assert (notice.deliver_at, notice.payload["offset_minutes"]) == (NOW, 1440)
    assert notice.body.startswith("Planning starts in 3 hours and 20 minutes: ")


async def test_overdue_notice_once_and_due_soon_notice(scratch: Scratch, job_ctx, clock: Clock) -> None:
    clock.now = NOW
    user = await scratch.user()
    overdue = Task(title="File the report", due_at=NOW - timedelta(hours=1), created_by_id=user.id)
    soon = Task(title="Book the hall", due_at=NOW + timedelta(hours=5), created_by_id=user.id)
    later = Task(title="Plan Q2", due_at=NOW + timedelta(days=5), created_by_id=user.id)
    await scratch.add(overdue, soon, later)
    try:
        await scratch.add(TaskAssignee(task_id=overdue.id, user_id=user.id))
        assert await scan_due_and_overdue_tasks(job_ctx) == 2
        assert await scan_due_and_overdue_tasks(job_ctx) == 0
        kinds = sorted((n.kind, n.subject_id) for n in await notifications_of(scratch.maker, user.id))
        assert kinds == sorted([("task_overdue", overdue.id), ("task_due_soon", soon.id)])
        async with scratch.maker() as session:
            assert (await session.get(Task, overdue.id)).overdue_notified_at == NOW  # type: ignore[union-attr]
    finally:
        async with scratch.maker() as session:
            await session.execute(delete(Task).where(Task.id.in_([overdue.id, soon.id, later.id])))
            await session.commit()


async def test_hourly_refresh_picks_up_events_entering_the_horizon(scratch: Scratch, job_ctx, clock: Clock) -> None:
    from jobs.reminders import HORIZON, refresh_event_reminders

    clock.now = NOW
    owner = await scratch.user()
    far = event(owner.id, NOW + HORIZON + timedelta(days=3), reminders=[60])
    await scratch.add(far)
    await refresh_event_reminders(job_ctx)
    assert await keys_of(scratch, owner.id) == []
    clock.now = NOW + timedelta(days=4)
    await refresh_event_reminders(job_ctx)
    await refresh_event_reminders(job_ctx)
    assert await keys_of(scratch, owner.id) == [
        (f"reminder:{far.id}:{far.starts_at.isoformat()}:{owner.id}:60", far.starts_at - timedelta(hours=1))]


async def test_ppa_alerts_once_for_overdue_milestone_and_stalled_stage(scratch: Scratch, job_ctx, clock: Clock) -> None:
    from db.enums import PpaCategory
    from db.models import Ppa, PpaMilestone
    from jobs.scans import alert_ppas_at_risk

    clock.now = NOW
    owner = await scratch.user()
    ppa = Ppa(title="Water system", category=PpaCategory.PROJECT, owner_id=owner.id,
              stage_entered_at=NOW - timedelta(days=90))
    await scratch.add(ppa)
    try:
        await scratch.add(PpaMilestone(ppa_id=ppa.id, title="Survey", due_on=(NOW - timedelta(days=2)).date()),
                          PpaMilestone(ppa_id=ppa.id, title="Design", due_on=(NOW + timedelta(days=2)).date()))
        assert await alert_ppas_at_risk(job_ctx) == 2
        assert await alert_ppas_at_risk(job_ctx) == 0
        titles = sorted(n.title for n in await notifications_of(scratch.maker, owner.id))
        assert titles == ["Milestone overdue: Survey", "Stage stalled: Water system"]
    finally:
        async with scratch.maker() as session:
            await session.execute(delete(Ppa).where(Ppa.id == ppa.id))
            await session.commit()
