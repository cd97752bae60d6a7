"""The automated quarterly coordination meeting scheduler.

For every team with ``holds_quarterly_coordination`` it creates next quarter's
meeting once. "Once" is the database's: the partial unique index
``uq_events_quarterly_team_period`` on (team_id, fiscal_year, quarter) and an
INSERT ... ON CONFLICT DO NOTHING without a conflict target (so a collision on
the meeting's uid, unique too, is also a quiet no-op), so concurrent schedulers
(several workers, a retried job) cannot create two and the losers do not fail. Only the run whose insert returned a row adds
the participants, the default tasks, the change-log row and the reminders (7
days and 1 day before), all in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CalendarModule, ChangeOp, TeamRole, TemplateKind, Visibility
from db.models import Event, EventParticipant, Team, TeamMembership
from db.queries.logs import record_change
from db.queries.task_generation import generate_default_tasks
from db.rules.event_changes import change_payload
from db.rules.quarters import Quarter, meeting_slot, next_quarter
from db.rules.reminders import QUARTERLY_OFFSETS
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.reminders import schedule_in_session
from jobs.retry import retry_transient

DEFAULT_TIMEZONE = "UTC"


def organisation_timezone(ctx: JobCtx) -> str:
    return str(getattr(ctx.get("settings"), "organisation_timezone", None) or DEFAULT_TIMEZONE)


@retry_transient
async def schedule_quarterly_meetings(ctx: JobCtx) -> list[int]:
    """Ids of the meetings this run created (empty when they all exist)."""
    moment = now(ctx)
    tz = organisation_timezone(ctx)
    quarter = next_quarter(moment, tz)
    async with sessionmaker_of(ctx)() as session:
        team_ids = list(await session.scalars(
            select(Team.id).where(Team.holds_quarterly_coordination).order_by(Team.id)
        ))
    created: list[int] = []
    for team_id in team_ids:
        async with sessionmaker_of(ctx)() as session, session.begin():
            event_id = await create_meeting(session, team_id, quarter, tz, moment)
            if event_id is not None:
                created.append(event_id)
    return created


async def create_meeting(session: AsyncSession, team_id: int, quarter: Quarter, tz: str, moment: datetime) -> int | None:
    team = await session.get(Team, team_id)
    if team is None:
        return None
    start, end = meeting_slot(quarter, tz)
    members = list(await session.execute(
        select(TeamMembership.user_id, TeamMembership.role).where(TeamMembership.team_id == team_id)
        .order_by(TeamMembership.user_id)
    ))
    leads = [user_id for user_id, role in members if role == TeamRole.LEAD]
    stmt = (
        insert(Event)
        .values(
            uid=f"quarterly-{team_id}-{quarter.fiscal_year}-q{quarter.quarter}@almanac",
            title=f"Q{quarter.quarter} {quarter.fiscal_year} coordination meeting: {team.name}"[:300],
            description="Mandatory quarterly coordination meeting (scheduled automatically).",
            module=CalendarModule.COORDINATION, visibility=Visibility.INTERNAL,
            starts_at=start, ends_at=end, series_ends_at=end, timezone=tz,
            reminders=list(QUARTERLY_OFFSETS), is_quarterly_coordination=True,
            quarter=quarter.quarter, fiscal_year=quarter.fiscal_year, team_id=team_id,
            owner_id=leads[0] if leads else None,
        )
        # No conflict target: a racing scheduler may collide on the quarterly slot OR on the
        # uid (both derive from team and quarter); only an untargeted ON CONFLICT covers both.
        .on_conflict_do_nothing()
        .returning(Event.id)
    )
    event_id = await session.scalar(stmt)
    if event_id is None:
        return None
    participant_ids = [user_id for user_id, _ in members]
    session.add_all(EventParticipant(event_id=event_id, user_id=user_id) for user_id in participant_ids)
    await session.flush()
    event = await session.get(Event, event_id)
    assert event is not None
    await generate_default_tasks(session, TemplateKind.COORDINATION_EVENT, event, actor_id=None)
    await record_change(session, "Event", event_id, ChangeOp.CREATED, change_payload(event, participant_ids))
    await schedule_in_session(session, event_id, moment)
    return event_id
