"""Notices to the people a calendar is shared with when an event on it changes.

Grantees at READ or WRITE are told which event changed; grantees at FREE_BUSY only that
the owner's busy times changed (they may not read titles). The one who made the change is
not told about it.
"""
from __future__ import annotations

from sqlalchemy import select

from db.models import CalendarGrant, Event, TeamMembership, User
from db.models.sharing import ShareLevel
from db.queries.notification import NewNotification, insert_notifications
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient


@retry_transient
async def notify_calendar_followers(ctx: JobCtx, event_id: int, actor_id: int | None, what: str) -> int:
    """``what``: "created", "changed" or "removed"; returns how many notices were added."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        event = await session.get(Event, event_id)
        if event is None or event.owner_id is None:
            return 0
        owner = await session.get(User, event.owner_id)
        rows = await session.execute(
            select(CalendarGrant.level, CalendarGrant.grantee_user_id, TeamMembership.user_id)
            .outerjoin(TeamMembership, TeamMembership.team_id == CalendarGrant.grantee_team_id)
            .where(CalendarGrant.owner_id == event.owner_id)
        )
        levels: dict[int, ShareLevel] = {}
        for level, user_id, member_id in rows:
            for uid in (user_id, member_id):
                if uid is not None and uid != actor_id and (uid not in levels or level != ShareLevel.FREE_BUSY):
                    levels[uid] = level
        name = owner.name if owner is not None else "a colleague"
        notices = [
            NewNotification(
                user_id=uid, kind="shared_calendar_change",
                title=(f"{name}'s calendar: busy times {what}" if level == ShareLevel.FREE_BUSY
                       else f"{name}'s calendar: {event.title} {what}"),
                body="" if level == ShareLevel.FREE_BUSY else f"{event.title} starts {event.starts_at.isoformat()}.",
                dedupe_key=f"shared-calendar:{event.id}:{event.version}:{what}:{uid}",
                deliver_at=now(ctx), subject_type="Event" if level != ShareLevel.FREE_BUSY else None,
                subject_id=event.id if level != ShareLevel.FREE_BUSY else None,
                payload={"owner_id": event.owner_id},
            )
            for uid, level in sorted(levels.items())
        ]
        return len(await insert_notifications(session, notices))
