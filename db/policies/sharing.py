"""Calendar sharing: who a grant reaches, and what it lets them do with the owner's calendar.

* FREE_BUSY: ``freeBusy`` shows when the owner is busy (PRIVATE events included), no details;
* READ: every event the owner owns reads in full, PRIVATE ones included (``event.py`` ORs
  ``owners_sharing_with`` into the event predicate and adds the grantees to its audience);
* WRITE: READ, plus creating events on the owner's calendar and changing or deleting the
  owner's events (``may_write_calendar``).

A grant to a team reaches its members at the time of the read. A grant is read by its owner
and by those it reaches; only the owner (or ADMIN) makes or removes one.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarGrant, TeamMembership
from db.models.sharing import ShareLevel
from db.policies.audience import Audience, listed
from db.policies.base import EntityPolicy
from db.policies.viewer import Viewer

READ_LEVELS = (ShareLevel.READ, ShareLevel.WRITE)
ANY_LEVEL = (ShareLevel.FREE_BUSY, ShareLevel.READ, ShareLevel.WRITE)


def grant_reaches(viewer: Viewer) -> ColumnElement[bool]:
    """SQL on ``calendar_grants``: the grant is to the viewer or to a team the viewer belongs to."""
    if viewer.user_id is None:
        return false()
    my_teams = select(TeamMembership.team_id).where(TeamMembership.user_id == viewer.user_id)
    return or_(CalendarGrant.grantee_user_id == viewer.user_id, CalendarGrant.grantee_team_id.in_(my_teams))


def owners_sharing_with(viewer: Viewer, levels: Sequence[ShareLevel]) -> Select[int]:
    """The users whose calendars are shared with the viewer at one of ``levels``."""
    return select(CalendarGrant.owner_id).where(grant_reaches(viewer), CalendarGrant.level.in_(list(levels)))


async def grantees_of(session: AsyncSession, owner_ids: Iterable[int | None],
                      levels: Sequence[ShareLevel] = READ_LEVELS) -> dict[int, frozenset[int]]:
    """For each owner, the users their grants at ``levels`` reach now (team grants expanded)."""
    owners = sorted({o for o in owner_ids if o is not None})
    if not owners:
        return {}
    rows = await session.execute(
        select(CalendarGrant.owner_id, CalendarGrant.grantee_user_id, TeamMembership.user_id)
        .outerjoin(TeamMembership, TeamMembership.team_id == CalendarGrant.grantee_team_id)
        .where(CalendarGrant.owner_id.in_(owners), CalendarGrant.level.in_(list(levels)))
    )
    reached: dict[int, set[int]] = defaultdict(set)
    for owner_id, user_id, member_id in rows:
        for uid in (user_id, member_id):
            if uid is not None:
                reached[owner_id].add(uid)
    return {owner: frozenset(users) for owner, users in reached.items()}


async def may_write_calendar(session: AsyncSession, viewer: Viewer, owner_id: int | None) -> bool:
    """The viewer owns the calendar or holds WRITE on it."""
    if viewer.user_id is None or owner_id is None:
        return False
    if viewer.user_id == owner_id:
        return True
    found = await session.scalar(
        select(CalendarGrant.id).where(CalendarGrant.owner_id == owner_id, CalendarGrant.level == ShareLevel.WRITE,
                                       grant_reaches(viewer)).limit(1)
    )
    return found is not None


def may_manage_grants(viewer: Viewer, owner_id: int) -> bool:
    return viewer.user_id == owner_id or viewer.is_admin


class CalendarGrantPolicy(EntityPolicy[CalendarGrant]):
    model = CalendarGrant
    entity_type = "CalendarGrant"

    def readable(self, viewer: Viewer) -> ColumnElement[bool]:
        if viewer.user_id is None:
            return false()
        return or_(CalendarGrant.owner_id == viewer.user_id, grant_reaches(viewer))

    async def audiences(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, Audience]:
        rows = (await session.execute(
            select(CalendarGrant.id, CalendarGrant.owner_id, CalendarGrant.grantee_user_id, TeamMembership.user_id)
            .outerjoin(TeamMembership, TeamMembership.team_id == CalendarGrant.grantee_team_id)
            .where(CalendarGrant.id.in_(list(ids)))
        )).all()
        people: dict[int, set[int | None]] = defaultdict(set)
        for pk, owner_id, user_id, member_id in rows:
            people[pk] |= {owner_id, user_id, member_id}
        return {pk: listed(users) for pk, users in people.items()}


async def free_busy_visible(session: AsyncSession, viewer: Viewer, owner_ids: Sequence[int]) -> set[int]:
    """Of ``owner_ids``, whose free/busy the viewer may see: their own, and calendars shared at any level."""
    if viewer.user_id is None:
        return set()
    shared = await session.scalars(
        owners_sharing_with(viewer, ANY_LEVEL).where(CalendarGrant.owner_id.in_(list(owner_ids)))
    )
    return {viewer.user_id, *shared} & set(owner_ids)
