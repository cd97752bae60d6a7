"""Notices to the people a calendar is shared with when an event on it changes.

Grantees at READ or WRITE are told which event changed; grantees at FREE_BUSY only that
the owner's busy times changed (they may not read titles). Grantees of the calendar of the
team an event is filed under are told too (of a PRIVATE one only its busy times: a team's
grants never open it). The one who made the change is not told about it.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from db.enums import Visibility
from db.models import CalendarGrant, Event, Team, TeamMembership, User
from db.models.sharing import ShareLevel
from db.queries.notification import NewNotification, insert_notifications
from jobs.context import JobCtx, now, sessionmaker_of
from jobs.retry import retry_transient


@retry_transient
async def notify_calendar_followers(ctx: JobCtx, event_id: int, actor_id: int | None, what: str) -> int:
    """``what``: "created", "changed" or "removed"; returns how many notices were added."""
    async with sessionmaker_of(ctx)() as session, session.begin():
        event = await session.get(Event, event_id)
        if event is None or (event.owner_id is None and event.team_id is None):
            return 0
        owner = await session.get(User, event.owner_id) if event.owner_id is not None else None
        team = await session.get(Team, event.team_id) if event.team_id is not None else None
        on_calendar = [CalendarGrant.owner_id == event.owner_id] if event.owner_id is not None else []
        if event.team_id is not None:
            on_calendar.append(CalendarGrant.owner_team_id == event.team_id)
        rows = await session.execute(
            select(CalendarGrant.level, CalendarGrant.owner_team_id, CalendarGrant.grantee_user_id,
                   TeamMembership.user_id)
            .outerjoin(TeamMembership, TeamMembership.team_id == CalendarGrant.grantee_team_id)
            .where(or_(*on_calendar))
        )
        # per follower: the widest level, and whose calendar they follow it on (the owner's first)
        levels: dict[int, tuple[ShareLevel, str]] = {}
        for level, team_owned, user_id, member_id in rows:
            if team_owned is not None and event.visibility == Visibility.PRIVATE:
                level = ShareLevel.FREE_BUSY  # a team's grants never open a PRIVATE event (db/policies/sharing.py)
            name = (team.name if team is not None else "a team") if team_owned is not None else \
                (owner.name if owner is not None else "a colleague")
            for uid in (user_id, member_id):
                if uid is None or uid == actor_id:
                    continue
                known = levels.get(uid)
                if known is None or (known[0] == ShareLevel.FREE_BUSY and level != ShareLevel.FREE_BUSY):
                    levels[uid] = (level, name)
        notices = [
            NewNotification(
                user_id=uid, kind="shared_calendar_change",
                title=(f"{name}'s calendar: busy times {what}" if level == ShareLevel.FREE_BUSY
                       else f"{name}'s calendar: {event.title} {what}"),
                body="" if level == ShareLevel.FREE_BUSY else f"{event.title} starts {event.starts_at.isoformat()}.",
                dedupe_key=f"shared-calendar:{event.id}:{event.version}:{what}:{uid}",
                deliver_at=now(ctx), subject_type="Event" if level != ShareLevel.FREE_BUSY else None,
                subject_id=event.id if level != ShareLevel.FREE_BUSY else None,
                payload={"owner_id": event.owner_id, "team_id": event.team_id},
            )
            for uid, (level, name) in sorted(levels.items())
        ]
        return len(await insert_notifications(session, notices))
