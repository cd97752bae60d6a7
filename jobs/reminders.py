"""Event reminders: PENDING notification rows for the occurrences ahead.

``schedule_event_reminders`` is idempotent: rows are keyed by
``reminder:{event_id}:{occurrence_start_utc}:{user_id}:{offset}`` and inserted
with ON CONFLICT DO NOTHING; future rows that no longer match the event (moved,
cancelled occurrence, removed participant, changed offsets) are deleted.
``refresh_event_reminders`` (hourly cron) rolls the horizon forward for
recurring series and for events that come into range.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Rsvp
from db.models import Event, EventOverride, EventParticipant, Notification
from db.queries.notification import (
    DeliveryPrefs,
    NewNotification,
    delivery_prefs,
    insert_notifications,
)
from db.rules.recurrence import ExpansionLimit, InvalidRecurrence, SeriesSpec, expand_occurrences
from db.rules.reminders import (
    MAX_OFFSET_MINUTES,
    describe_lead_time,
    plan_reminders,
    reminder_offsets,
)
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient

KIND = "event_reminder"
# Reminders are created this far ahead: the largest allowed offset plus slack for the hourly refresh.
HORIZON = timedelta(minutes=MAX_OFFSET_MINUTES) + timedelta(days=2)


def reminder_key(event_id: int, occurrence_start: datetime, user_id: int, offset: int) -> str:
    return f"reminder:{event_id}:{occurrence_start.astimezone(UTC).isoformat()}:{user_id}:{offset}"


@retry_transient
async def schedule_event_reminders(ctx: JobCtx, event_id: int) -> int:
    """Create the event's upcoming reminders; returns how many rows were inserted."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        return await schedule_in_session(session, event_id, now(ctx))


async def schedule_in_session(session: AsyncSession, event_id: int, moment: datetime) -> int:
    event = await session.get(Event, event_id)
    planned: list[NewNotification] = []
    if event is not None:
        planned = await plan_for_event(session, event, moment)
    keys = [n.dedupe_key for n in planned]
    stale = delete(Notification).where(
        Notification.subject_type == "Event", Notification.subject_id == event_id, Notification.kind == KIND,
        Notification.email_status == "PENDING", Notification.deliver_at > moment,
    )
    if keys:
        stale = stale.where(Notification.dedupe_key.not_in(keys))
    await session.execute(stale)
    return len(await insert_notifications(session, planned))


async def recipients_of(session: AsyncSession, event: Event) -> list[int]:
    rows = await session.execute(
        select(EventParticipant.user_id, EventParticipant.rsvp).where(EventParticipant.event_id == event.id)
    )
    users = {user_id for user_id, rsvp in rows if rsvp != Rsvp.DECLINED}
    if event.owner_id is not None:
        users.add(event.owner_id)
    return sorted(users)


async def plan_for_event(session: AsyncSession, event: Event, moment: datetime) -> list[NewNotification]:
    try:
        overrides = await session.scalars(select(EventOverride).where(EventOverride.event_id == event.id))
        series = SeriesSpec.from_event(event, list(overrides))
        occurrences = expand_occurrences(series, moment, moment + HORIZON)
    except (InvalidRecurrence, ExpansionLimit):
        return []  # ExpansionLimit: a series too dense to remind of every occurrence (e.g. every 15 minutes)
    if not occurrences:
        return []
    prefs = await delivery_prefs(session, await recipients_of(session, event))
    planned: list[NewNotification] = []
    for occurrence in occurrences:
        title = occurrence.override.title if occurrence.override and occurrence.override.title else event.title
        for user_id, pref in prefs.items():
            offsets = reminder_offsets(event.reminders or (), pref.reminder_offsets,
                                       is_quarterly=event.is_quarterly_coordination)
            for plan in plan_reminders(occurrence.start, offsets, moment):
                planned.append(NewNotification(
                    user_id=user_id, kind=KIND, title=f"Reminder: {title}",
                    body=reminder_body(title, occurrence.start, occurrence.start - plan.deliver_at, pref,
                                       event.all_day),
                    dedupe_key=reminder_key(event.id, occurrence.start, user_id, plan.offset_minutes),
                    deliver_at=plan.deliver_at, subject_type="Event", subject_id=event.id,
                    payload={"event_id": event.id, "occurrence_start": occurrence.start.isoformat(),
                             "offset_minutes": plan.offset_minutes},
                ))
    return planned


def reminder_body(title: str, start: datetime, lead: timedelta, pref: DeliveryPrefs, all_day: bool) -> str:
    """``lead`` is the time from delivery to the start: a late reminder (delivered now,
    after its offset passed) tells the real remaining time, not its offset."""
    from zoneinfo import ZoneInfo

    local = start.astimezone(ZoneInfo(pref.timezone))
    when = local.strftime("%A %d %B %Y") if all_day else local.strftime(f"%A %d %B %Y, %H:%M ({pref.timezone})")
    return f"{title} starts {describe_lead_time(lead)}: {when}."


@retry_transient
async def refresh_event_reminders(ctx: JobCtx) -> int:
    """Hourly: schedule reminders for every event with an occurrence inside the horizon."""
    moment = now(ctx)
    async with sessionmaker_of(ctx)() as session:
        ids = list(await session.scalars(
            select(Event.id).where(
                Event.starts_at < moment + HORIZON,
                or_(Event.series_ends_at.is_(None), Event.series_ends_at > moment),
                or_(Event.owner_id.is_not(None), select(EventParticipant.event_id).where(EventParticipant.event_id == Event.id).exists()),
            ).order_by(Event.id)
        ))
    inserted = 0
    for event_id in ids:
        async with sessionmaker_of(ctx)() as session, session.begin():
            inserted += await schedule_in_session(session, event_id, moment)
    return inserted
