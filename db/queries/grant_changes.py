"""What a change of calendar reach tells live calendars: grants given or taken, team members joining or leaving.

A grant changes who reads the owner's PRIVATE events, so each grant change also writes an
Event change for those events (the most recent ``MAX_EVENTS_ANNOUNCED``): open subscriptions
of new readers receive them at once, those who lost access receive removals. A grant that
starts or stops naming its calendar (``CalendarEntry.sharedBy``: READ or WRITE) changes what
those it reaches are shown of every event on it, so they (and only they) are told of those
events too. Joining or leaving a team is gaining or losing the grants the team holds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Visibility
from db.models import CalendarGrant, Event
from db.policies.audience import Audience
from db.policies.event import event_audiences
from db.policies.sharing import names_grantor
from db.queries.logs import record_audience_changes, record_update_for
from db.rules.event_changes import placement

MAX_EVENTS_ANNOUNCED = 1000


async def private_event_readership(session: AsyncSession, *owner_ids: int | None) -> dict[int, Audience]:
    """Who reads the owners' PRIVATE events now (a team's grants open none: nothing to announce)."""
    owners = [pk for pk in owner_ids if pk is not None]
    if not owners:
        return {}
    ids = list(await session.scalars(
        select(Event.id).where(Event.owner_id.in_(owners), Event.visibility == Visibility.PRIVATE)
        .order_by(Event.starts_at.desc()).limit(MAX_EVENTS_ANNOUNCED)
    ))
    return await event_audiences(session, ids)


async def announce_shared_by(session: AsyncSession, grant: CalendarGrant, reached: frozenset[int],
                             announced: set[int], *, actor_id: int | None) -> None:
    """The grant began or ceased to name its calendar in ``sharedBy``: each event on that calendar
    (the most recent ``MAX_EVENTS_ANNOUNCED``) is told as UPDATED to those of ``reached`` who read
    it, so their live calendars show the new value; events in ``announced`` already went to all
    their readers."""
    if not reached:
        return
    on_calendar = (Event.owner_id == grant.owner_id if grant.owner_id is not None
                   else Event.team_id == grant.owner_team_id)
    events = list(await session.scalars(
        select(Event).where(on_calendar).order_by(Event.starts_at.desc()).limit(MAX_EVENTS_ANNOUNCED)))
    readers = await event_audiences(session, [e.id for e in events if e.id not in announced])
    whose = {"shared_by": grant.owner_id} if grant.owner_id is not None else {"shared_by_team": grant.owner_team_id}
    for event in events:
        told = readers[event.id].among(reached) if event.id in readers else None
        if told is not None and not told.is_empty:
            record_update_for(session, "Event", event.id, placement(event) | whose, told, actor_id=actor_id)


@dataclass(slots=True)
class TeamReach:
    """The calendars shared with a team, and who read their owners' PRIVATE events, before one
    of its memberships changes: joining or leaving the team is gaining or losing those grants."""

    team_id: int
    grants: list[CalendarGrant]
    private: dict[int, Audience]


async def team_reach(session: AsyncSession, team_id: int) -> TeamReach:
    grants = list(await session.scalars(select(CalendarGrant).where(CalendarGrant.grantee_team_id == team_id)))
    return TeamReach(team_id, grants, await private_event_readership(session, *(g.owner_id for g in grants)))


async def announce_team_reach(session: AsyncSession, reach: TeamReach, member_id: int, *,
                              actor_id: int | None) -> None:
    """After ``member_id`` joined or left the team: the PRIVATE events they now read or no longer
    read reach them (or leave them), and the calendars the team's grants name are re-named to them."""
    announced = await record_audience_changes(session, "Event", reach.private, {"grantee_team": reach.team_id},
                                              actor_id=actor_id)
    for grant in reach.grants:
        if names_grantor(grant.level):
            await announce_shared_by(session, grant, frozenset({member_id}), announced, actor_id=actor_id)
